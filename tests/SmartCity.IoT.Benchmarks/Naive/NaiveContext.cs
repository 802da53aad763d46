namespace SmartCity.IoT.Benchmarks.Naive;

/// <summary>What a naive rule reads: dictionaries of latest values and per-field history lists, queried with LINQ.</summary>
internal sealed class NaiveContext(NaiveDevice device, DateTimeOffset now, Dictionary<string, List<(DateTimeOffset At, bool Value)>> counts)
{
    public double? V(string field) => device.Latest.TryGetValue(field, out var v) && double.IsFinite(v) ? v : null;

    public string? Text(string field) => device.Text.TryGetValue(field, out var v) ? v : null;

    public double? Avg(string field, TimeSpan window)
    {
        var values = Window(field, window).Select(x => x.Value).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    public double? Rate(string field, TimeSpan window)
    {
        var values = Window(field, window).ToList();
        if (values.Count < 2)
        {
            return null;
        }

        var (t0, v0) = values.First();
        var (t1, v1) = values.Last();
        return t1 == t0 ? null : (v1 - v0) / (t1 - t0).TotalSeconds;
    }

    public double? Delta(string field, TimeSpan window)
    {
        var values = Window(field, window).ToList();
        return values.Count < 2 ? null : values.Last().Value - values.First().Value;
    }

    public double? Count(string key, bool? condition, TimeSpan window)
    {
        if (!counts.TryGetValue(key, out var list))
        {
            counts[key] = list = [];
        }

        list.Add((now, condition == true));
        list.RemoveAll(x => x.At < now - window);
        return list.Count(x => x.Value);
    }

    public bool? Absent(string field, TimeSpan window) => now - (device.LastSeen.TryGetValue(field, out var t) ? t : device.FirstSeen) >= window;

    public static bool? Gt(double? a, double b) => a is { } x ? x > b : null;

    public static bool? Ge(double? a, double b) => a is { } x ? x >= b : null;

    public static bool? Lt(double? a, double b) => a is { } x ? x < b : null;

    public static double? Abs(double? a) => a is { } x ? Math.Abs(x) : null;

    public static bool? And(bool? a, bool? b) => a == false || b == false ? false : a is null || b is null ? null : true;

    public static bool? Or(bool? a, bool? b) => a == true || b == true ? true : a is null || b is null ? null : false;

    public static bool? Not(bool? a) => a is null ? null : !a;

    private IEnumerable<(DateTimeOffset At, double Value)> Window(string field, TimeSpan window) =>
        device.History.TryGetValue(field, out var list) ? list.Where(x => x.At >= now - window && double.IsFinite(x.Value)) : [];
}
