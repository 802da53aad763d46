using System.ComponentModel.DataAnnotations;

namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>Section <c>Simulator</c>: the built-in device simulator of the demo.</summary>
internal sealed class SimulatorHostOptions
{
    public const string SectionName = "Simulator";

    /// <summary><c>auto</c> (on with the embedded broker), <c>true</c> or <c>false</c>.</summary>
    public string Enabled { get; set; } = "auto";

    /// <summary>Messages per second published by the demo simulator.</summary>
    [Range(0.1, 1_000_000)]
    public double Rate { get; set; } = 20;

    [Range(1, 100_000)]
    public int DevicesPerProfile { get; set; } = 3;

    /// <summary>Share of each device's time in an anomaly episode (one field held past the shipped rules' threshold for 2-8 minutes).</summary>
    [Range(0, 1)]
    public double AnomalyRate { get; set; } = 0.05;

    /// <summary>Glob over profile ids, e.g. <c>pavilion/*</c>.</summary>
    public string Devices { get; set; } = "*";
}
