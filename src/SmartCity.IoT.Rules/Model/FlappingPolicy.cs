namespace SmartCity.IoT.Rules.Model;

/// <summary>
/// Flapping suppression: when a (rule, device) already changed state <see cref="MaxChanges"/> times (firing or resolved)
/// within <see cref="Window"/>, it holds firing instead of resolving, says so once, and resolves only after the changes age out.
/// </summary>
public sealed record FlappingPolicy(int MaxChanges, TimeSpan Window)
{
    public static readonly FlappingPolicy Disabled = new(0, TimeSpan.Zero);

    public bool Enabled => MaxChanges > 0 && Window > TimeSpan.Zero;
}
