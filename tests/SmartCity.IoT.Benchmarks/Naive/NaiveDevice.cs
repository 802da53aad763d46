namespace SmartCity.IoT.Benchmarks.Naive;

internal sealed class NaiveDevice(string id, string family, Dictionary<string, string> tags, DateTimeOffset firstSeen)
{
    public string Id { get; } = id;
    public string Family { get; } = family;
    public Dictionary<string, string> Tags { get; } = tags;
    public DateTimeOffset FirstSeen { get; } = firstSeen;
    public DateTimeOffset LastMessage { get; set; } = firstSeen;
    public Dictionary<string, double> Latest { get; } = [];
    public Dictionary<string, string> Text { get; } = [];
    public Dictionary<string, DateTimeOffset> LastSeen { get; } = [];
    public Dictionary<string, List<(DateTimeOffset At, double Value)>> History { get; } = [];
}
