namespace SmartCity.IoT.Influx;

/// <summary>What happens when the spool reaches <see cref="SpoolOptions.MaxBytes"/>.</summary>
public enum SpoolFullPolicy
{
    /// <summary>Stop accepting batches (so the gateway stops acknowledging; the broker keeps the rest). Loses nothing.</summary>
    Block,

    /// <summary>Delete the oldest spool segment to make room, counting the lines lost.</summary>
    DropOldest,

    /// <summary>Discard the incoming batch, counting the lines lost.</summary>
    DropNewest,
}
