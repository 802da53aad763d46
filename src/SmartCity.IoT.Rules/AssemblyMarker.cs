namespace SmartCity.IoT.Rules;
internal static class AssemblyMarker
{
}
