namespace SmartCity.IoT.Devices.Simulation;

/// <summary>What to simulate. Bound from the <c>simulate</c> command line (or configuration section "Simulator").</summary>
public sealed class SimulatorOptions
{
    /// <summary>Glob on profile ids: <c>*</c>, <c>harbourtech/*</c>, <c>*/am319*</c>. Several patterns may be separated by commas.</summary>
    public string DevicePattern { get; set; } = "*";

    /// <summary>Simulated devices per matching profile (1..10000).</summary>
    public int DevicesPerProfile { get; set; } = 2;

    /// <summary>
    /// Share (0..1) of each device's time spent in an anomaly episode: one field held in its anomaly band (co2 above 1000,
    /// pm2_5 above 35, bay fault, …) for 2 to 8 minutes, then back to normal.
    /// </summary>
    public double AnomalyRate { get; set; } = 0.05;

    /// <summary>Seed for repeatable runs; null picks a different one each run.</summary>
    public int? Seed { get; set; }

    public void Validate()
    {
        if (DevicesPerProfile is < 1 or > 10_000)
        {
            throw new ArgumentOutOfRangeException(nameof(DevicesPerProfile), DevicesPerProfile, "DevicesPerProfile must be 1..10000.");
        }

        if (AnomalyRate is < 0 or > 1 || double.IsNaN(AnomalyRate))
        {
            throw new ArgumentOutOfRangeException(nameof(AnomalyRate), AnomalyRate, "AnomalyRate must be between 0 and 1.");
        }

        if (string.IsNullOrWhiteSpace(DevicePattern))
        {
            throw new ArgumentException("DevicePattern must not be empty (use * for every profile).", nameof(DevicePattern));
        }
    }
}
