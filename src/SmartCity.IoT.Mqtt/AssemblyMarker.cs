namespace SmartCity.IoT.Mqtt;
internal static class AssemblyMarker
{
}
