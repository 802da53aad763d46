namespace SmartCity.IoT.Gateway.Places;

/// <summary>The building model on <c>/api/status</c>: what is in force, which devices it leaves unplaced, and a refused reload's errors.</summary>
/// <param name="Path">The model file, or null when <c>Buildings:Path</c> is empty.</param>
/// <param name="Unplaced">Devices the gateway has seen that the model does not place ("profile device"), the first <see cref="MaxListed"/>.</param>
/// <param name="ReloadErrors">Each error of the last refused reload (<c>file:line:col: error: ...</c>), null once a good edit is in force.</param>
internal sealed record BuildingsStatus(string? Path, int Places, int Placed, int UnplacedCount, IReadOnlyList<string> Unplaced, IReadOnlyList<string>? ReloadErrors, DateTimeOffset? ReloadRefusedAt)
{
    public const int MaxListed = 500;

    public static BuildingsStatus Of(BuildingModelFile file, IReadOnlyList<Core.Devices.DeviceState> devices)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(devices);
        var model = file.Current;
        var unplaced = devices.Where(d => model.PlaceOf(d) is null).ToList();
        var failure = file.Reloads.Current;
        return new BuildingsStatus(file.Path, model.Places.Count, devices.Count - unplaced.Count, unplaced.Count,
            unplaced.Take(MaxListed).Select(d => $"{d.Profile.Id} {d.DeviceId}").ToList(), failure?.Errors, failure?.At);
    }
}
