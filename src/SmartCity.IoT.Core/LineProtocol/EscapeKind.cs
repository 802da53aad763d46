namespace SmartCity.IoT.Core.LineProtocol;

/// <summary>Which characters line protocol requires escaping in each position.</summary>
public enum EscapeKind
{
    /// <summary>Measurement: comma and space.</summary>
    Measurement,
    /// <summary>Tag keys, tag values and field keys: comma, equals sign and space.</summary>
    Key,
    /// <summary>String field values (inside quotes): double quote and backslash.</summary>
    StringField,
}
