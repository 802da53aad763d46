namespace SmartCity.IoT.Core.Model;

/// <summary>How a canonical field's value is stored in a <see cref="Reading"/> (always as a double) and written as line protocol.</summary>
public enum FieldType
{
    /// <summary>Floating point; written as <c>23.4</c>.</summary>
    Float,
    /// <summary>Whole number; written as <c>812i</c>.</summary>
    Integer,
    /// <summary>0 or 1; written as <c>true</c>/<c>false</c>.</summary>
    Boolean,
    /// <summary>Index into <see cref="FieldDefinition.EnumValues"/>; written as the quoted string.</summary>
    Enum,
}
