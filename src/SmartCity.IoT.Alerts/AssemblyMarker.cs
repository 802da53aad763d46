namespace SmartCity.IoT.Alerts;
internal static class AssemblyMarker
{
}
