namespace SmartCity.IoT.Devices;
internal static class AssemblyMarker
{
}
