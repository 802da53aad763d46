using System.Buffers.Text;
using System.Globalization;
using System.Text;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// How one payload value becomes one canonical field: unit conversion (<c>canonical = raw * Factor + Offset</c>),
/// rounding to the vocabulary's decimals, the valid range, and a value map for enums/booleans.
/// Applying a value allocates nothing unless it is rejected.
/// </summary>
public sealed class FieldMapping
{
    private static readonly byte[][] TrueWords = ["true"u8.ToArray(), "on"u8.ToArray(), "yes"u8.ToArray(), "1"u8.ToArray()];
    private static readonly byte[][] FalseWords = ["false"u8.ToArray(), "off"u8.ToArray(), "no"u8.ToArray(), "0"u8.ToArray()];

    /// <param name="factor">With <paramref name="offset"/>: raw to canonical for the profile's unit, <paramref name="scale"/> and <paramref name="add"/> included.</param>
    /// <param name="scale">With <paramref name="add"/>: the profile's <c>scale</c>/<c>add</c> alone, applied before a unit named in the payload.</param>
    /// <param name="units">Units a payload may name for this field (<see cref="ApplyNumber(double, ReadOnlySpan{byte}, Reading, ref DecodeContext)"/>).</param>
    public FieldMapping(FieldDefinition field, string source, string unit, double factor, double offset, double min, double max, int decimals, IReadOnlyList<ValueMapEntry>? map, bool required, double scale = 1, double add = 0, IReadOnlyList<PayloadUnit>? units = null)
    {
        Scale = scale;
        Add = add;
        Units = units?.ToArray() ?? [];
        Field = field;
        Source = source;
        Unit = unit;
        Factor = factor;
        Offset = offset;
        Min = min;
        Max = max;
        Decimals = decimals;
        Map = map?.ToArray() ?? [];
        Required = required;
        SourceUtf8 = Encoding.UTF8.GetBytes(source);
    }

    public FieldDefinition Field { get; }

    public int FieldId => Field.Id;

    /// <summary>Where the value comes from, as written in the profile (<c>$.co2</c>, <c>bytes[2..3]</c>, a topic key); used in messages.</summary>
    public string Source { get; }

    public byte[] SourceUtf8 { get; }

    /// <summary>The unit the device sends (as written in the profile).</summary>
    public string Unit { get; }

    public double Factor { get; }

    public double Offset { get; }

    /// <summary>Valid range in the canonical unit (the profile's range, within the vocabulary's).</summary>
    public double Min { get; }

    public double Max { get; }

    /// <summary>Decimals to round canonical values to, or -1 for none (keeps 0.1 * 234 from printing as 23.400000000000002).</summary>
    public int Decimals { get; }

    public ValueMapEntry[] Map { get; }

    public bool Required { get; }

    /// <summary>The profile's <c>scale</c> (already part of <see cref="Factor"/>), applied before a unit from the payload.</summary>
    public double Scale { get; }

    /// <summary>The profile's <c>add</c> (already part of <see cref="Offset"/>), applied before a unit from the payload.</summary>
    public double Add { get; }

    /// <summary>Units a payload may name for this field, with their conversions (the vocabulary's names and aliases).</summary>
    public PayloadUnit[] Units { get; }

    /// <summary>
    /// Applies a number that came with its unit (<c>{"value": 9.3, "unit": "µg/m³"}</c>, SenML <c>u</c>): converted through
    /// the vocabulary's conversion for that unit; empty = the profile's unit. An unknown unit rejects the field.
    /// </summary>
    public void ApplyNumber(double raw, ReadOnlySpan<byte> unit, Reading reading, ref DecodeContext ctx)
    {
        if (unit.IsEmpty || Field.Type is not (FieldType.Float or FieldType.Integer))
        {
            ApplyNumber(raw, reading, ref ctx);
            return;
        }

        foreach (var u in Units)
        {
            if (unit.SequenceEqual(u.NameUtf8))
            {
                ApplyConverted((raw * Scale + Add) * u.Factor + u.Offset, raw, reading, ref ctx);
                return;
            }
        }

        ctx.Reject(DecodeError.UnknownUnit, $"{Field.Name} ({Source}): unit '{Truncate(Encoding.UTF8.GetString(unit))}' has no conversion to {Field.Unit} in devices/vocabulary.yaml (known: {string.Join(", ", Units.Select(x => x.Name))})");
    }

    /// <summary>Applies a numeric payload value.</summary>
    public void ApplyNumber(double raw, Reading reading, ref DecodeContext ctx)
    {
        if (Field.Type is FieldType.Enum or FieldType.Boolean)
        {
            var numericKeys = false;
            foreach (var entry in Map)
            {
                if (entry.NumericKey is { } key)
                {
                    numericKeys = true;
                    if (key == raw)
                    {
                        reading.Set(FieldId, entry.Value);
                        return;
                    }
                }
            }

            if (Field.Type == FieldType.Boolean && !numericKeys)
            {
                reading.Set(FieldId, raw != 0 ? 1 : 0);
                return;
            }

            ctx.Reject(DecodeError.WrongType, numericKeys
                ? $"{Field.Name} ({Source}): {Format(raw)} is not one of the mapped values ({KeysText()})"
                : $"{Field.Name} ({Source}): got the number {Format(raw)}, expected {TypeText()} (add a 'map' to translate numeric codes)");
            return;
        }

        ApplyCanonical(raw, reading, ref ctx);
    }

    /// <summary>Applies a boolean payload value (JSON true/false).</summary>
    public void ApplyBoolean(bool value, Reading reading, ref DecodeContext ctx)
    {
        if (Field.Type == FieldType.Boolean)
        {
            reading.Set(FieldId, value ? 1 : 0);
            return;
        }

        if (Map.Length > 0)
        {
            ApplyText(value ? "true"u8 : "false"u8, reading, ref ctx);
            return;
        }

        ctx.Reject(DecodeError.WrongType, $"{Field.Name} ({Source}): expected {TypeText()}, got the boolean {(value ? "true" : "false")}");
    }

    /// <summary>Applies a text payload value (UTF-8, unescaped): enum/boolean words, mapped keys, or a number written as text.</summary>
    public void ApplyText(ReadOnlySpan<byte> text, Reading reading, ref DecodeContext ctx)
    {
        foreach (var entry in Map)
        {
            if (text.SequenceEqual(entry.KeyUtf8) || Ascii.EqualsIgnoreCase(text, entry.KeyUtf8))
            {
                reading.Set(FieldId, entry.Value);
                return;
            }
        }

        switch (Field.Type)
        {
            case FieldType.Enum:
                var names = Field.EnumValuesUtf8;
                for (var i = 0; i < names.Length; i++)
                {
                    if (Ascii.EqualsIgnoreCase(text, names[i]))
                    {
                        reading.Set(FieldId, i);
                        return;
                    }
                }

                ctx.Reject(DecodeError.WrongType, $"{Field.Name} ({Source}): '{Encoding.UTF8.GetString(text)}' is not one of {string.Join(", ", Field.EnumValues)}{(Map.Length > 0 ? " or the mapped values " + KeysText() : "")}");
                return;
            case FieldType.Boolean:
                if (MatchesAny(text, TrueWords))
                {
                    reading.Set(FieldId, 1);
                    return;
                }

                if (MatchesAny(text, FalseWords))
                {
                    reading.Set(FieldId, 0);
                    return;
                }

                ctx.Reject(DecodeError.WrongType, $"{Field.Name} ({Source}): '{Encoding.UTF8.GetString(text)}' is not a boolean (true/false, on/off, 1/0{(Map.Length > 0 ? ", " + KeysText() : "")})");
                return;
            default:
                var trimmed = TrimAscii(text);
                if (Utf8Parser.TryParse(trimmed, out double value, out var consumed) && consumed == trimmed.Length && trimmed.Length > 0)
                {
                    ApplyCanonical(value, reading, ref ctx);
                    return;
                }

                ctx.Reject(DecodeError.WrongType, $"{Field.Name} ({Source}): expected a number, got '{Truncate(Encoding.UTF8.GetString(text))}'");
                return;
        }
    }

    /// <summary>Reports a value of the wrong JSON kind (object, array).</summary>
    public void RejectKind(string kind, ref DecodeContext ctx) =>
        ctx.Reject(DecodeError.WrongType, $"{Field.Name} ({Source}): expected {TypeText()}, got {kind}");

    /// <summary>Converts a raw number into the canonical unit and checks the range (no map applied).</summary>
    public double ToCanonical(double raw)
    {
        var v = raw * Factor + Offset;
        return Decimals >= 0 ? Math.Round(v, Decimals, MidpointRounding.AwayFromZero) : v;
    }

    /// <summary>The inverse of <see cref="ToCanonical"/> (simulator).</summary>
    public double FromCanonical(double canonical) => (canonical - Offset) / Factor;

    private void ApplyCanonical(double raw, Reading reading, ref DecodeContext ctx) => ApplyConverted(ToCanonical(raw), raw, reading, ref ctx);

    private void ApplyConverted(double converted, double raw, Reading reading, ref DecodeContext ctx)
    {
        var v = Decimals >= 0 ? Math.Round(converted, Decimals, MidpointRounding.AwayFromZero) : converted;
        if (!double.IsFinite(v))
        {
            ctx.Reject(DecodeError.WrongType, $"{Field.Name} ({Source}): {Format(raw)} is not a finite number");
            return;
        }

        if (v < Min || v > Max)
        {
            ctx.Reject(DecodeError.OutOfRange, $"{Field.Name} ({Source}): {Format(v)} {Field.Unit} is outside the valid range [{Format(Min)}, {Format(Max)}] {Field.Unit}");
            return;
        }

        if (Field.Type == FieldType.Integer && v != Math.Round(v))
        {
            v = Math.Round(v, MidpointRounding.AwayFromZero);
        }

        reading.Set(FieldId, v);
    }

    private string TypeText() => Field.Type switch
    {
        FieldType.Enum => "one of " + string.Join(", ", Field.EnumValues),
        FieldType.Boolean => "a boolean",
        FieldType.Integer => "an integer",
        _ => "a number",
    };

    private string KeysText() => string.Join(", ", Map.Select(m => m.Key));

    private static bool MatchesAny(ReadOnlySpan<byte> text, byte[][] words)
    {
        var t = TrimAscii(text);
        foreach (var w in words)
        {
            if (Ascii.EqualsIgnoreCase(t, w))
            {
                return true;
            }
        }

        return false;
    }

    private static ReadOnlySpan<byte> TrimAscii(ReadOnlySpan<byte> s) => s.Trim(" \t\r\n"u8);

    private static string Format(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Truncate(string s) => s.Length <= 64 ? s : s[..64] + "…";
}
