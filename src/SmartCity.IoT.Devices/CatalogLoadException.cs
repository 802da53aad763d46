namespace SmartCity.IoT.Devices;

/// <summary>The device catalog failed to load; <see cref="Errors"/> lists every problem found, in the text <c>devices validate</c> prints.</summary>
public sealed class CatalogLoadException : Exception
{
    public CatalogLoadException(IReadOnlyList<CatalogError> errors)
        : base($"The device catalog has {errors.Count} error(s):{Environment.NewLine}{string.Join(Environment.NewLine, errors)}")
    {
        Errors = errors;
    }

    public IReadOnlyList<CatalogError> Errors { get; }
}
