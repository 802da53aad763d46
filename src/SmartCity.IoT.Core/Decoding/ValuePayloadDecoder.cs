using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// One value per topic (<c>.../temperature</c> carrying <c>21.5</c>, <c>ON</c> or <c>occupied</c>). The field is chosen by the
/// topic's <c>{field}</c> segment matched against each mapping's key, or is the profile's only field.
/// </summary>
public sealed class ValuePayloadDecoder : PayloadDecoder
{
    private readonly FieldMapping[] _fields;
    private readonly string[] _keys;

    public ValuePayloadDecoder(IEnumerable<(string Key, FieldMapping Mapping)> fields)
    {
        var list = fields.ToArray();
        _fields = list.Select(f => f.Mapping).ToArray();
        _keys = list.Select(f => f.Key).ToArray();
    }

    public override IReadOnlyList<FieldMapping> Fields => _fields;

    public IReadOnlyList<string> Keys => _keys;

    public override void Decode(ReadOnlySpan<byte> payload, ReadOnlySpan<char> fieldKey, Reading reading, ref DecodeContext ctx)
    {
        FieldMapping? mapping = null;
        if (fieldKey.IsEmpty && _fields.Length == 1)
        {
            mapping = _fields[0];
        }
        else
        {
            for (var i = 0; i < _keys.Length; i++)
            {
                if (fieldKey.SequenceEqual(_keys[i]))
                {
                    mapping = _fields[i];
                    break;
                }
            }
        }

        if (mapping is null)
        {
            ctx.Fail(DecodeError.NoMatchingProfile, $"topic level '{fieldKey}' is not a field of this profile (known: {string.Join(", ", _keys)})");
            return;
        }

        var text = payload.Trim(" \t\r\n"u8);
        if (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            text = text[1..^1];
        }

        if (text.IsEmpty)
        {
            ctx.Fail(DecodeError.MalformedPayload, $"{mapping.Field.Name} ({mapping.Source}): the payload is empty");
            return;
        }

        mapping.ApplyText(text, reading, ref ctx);
    }
}
