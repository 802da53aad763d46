namespace SmartCity.IoT.Core.Decoding;

/// <summary>What a record-list frame does with a record no field maps.</summary>
public enum UnknownRecords
{
    /// <summary>The message fails, naming the record and its byte offset.</summary>
    Error,
    /// <summary>
    /// A record whose length is known (a declared type no field maps, a declared type on a channel no field maps, any record of a length-prefixed list)
    /// is stepped over; an unknown type without a length byte still fails, since where the next record starts is unknown.
    /// </summary>
    Skip,
}
