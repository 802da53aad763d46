namespace SmartCity.IoT.Core.Alerting;

/// <summary>
/// The readings of one device up to <see cref="UpToNs"/> (their timestamps, Unix ns) already made their alert
/// transitions: a redelivered reading at or before it is not evaluated again (see <see cref="IFiringAlertSource.ReplayFloors"/>).
/// </summary>
public sealed record ReplayFloor(string ProfileId, string DeviceId, long UpToNs);
