using SmartCity.IoT.Core.Pipeline;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>
/// A topic template such as <c>buildings/{building}/floors/{floor}/env/{deviceId}/telemetry</c>.
/// Each named segment covers one whole topic level and becomes a tag named after it; one of them is the device id.
/// The reserved name <c>{field}</c> selects the field for one-value-per-topic payloads and is not a tag.
/// </summary>
public sealed class TopicTemplate
{
    public const string FieldSegmentName = "field";

    private readonly TopicSegment[] _segments;

    private TopicTemplate(string template, TopicSegment[] segments, int deviceIdIndex, int fieldIndex)
    {
        Template = template;
        _segments = segments;
        DeviceIdIndex = deviceIdIndex;
        FieldIndex = fieldIndex;
    }

    public string Template { get; }

    public IReadOnlyList<TopicSegment> Segments => _segments;

    public int SegmentCount => _segments.Length;

    /// <summary>Index of the segment holding the device id.</summary>
    public int DeviceIdIndex { get; }

    /// <summary>Index of the <c>{field}</c> segment, or -1.</summary>
    public int FieldIndex { get; }

    /// <summary>The MQTT subscription filter: '+' for every named segment.</summary>
    public string Filter => FilterFor(TopicSyntax.Mqtt);

    /// <summary>The subscription filter in <paramref name="syntax"/>: its single-level wildcard for every named segment.</summary>
    public string FilterFor(TopicSyntax syntax) =>
        string.Join(syntax.Separator, _segments.Select(s => s.IsNamed ? syntax.SingleLevelWildcard : s.Literal));

    /// <summary>Parses a template. <paramref name="deviceIdSegment"/> names the device-id segment; when null, <c>deviceId</c>, <c>device</c> or <c>dev</c> is used.</summary>
    public static bool TryParse(string template, string? deviceIdSegment, out TopicTemplate? result, out string error)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(template))
        {
            error = "the topic template is empty";
            return false;
        }

        if (template.Contains('+') || template.Contains('#'))
        {
            error = $"topic template '{template}' contains an MQTT wildcard; use a named segment such as {{deviceId}} instead of '+' or '#'";
            return false;
        }

        var parts = template.Split('/');
        var segments = new TopicSegment[parts.Length];
        var names = new HashSet<string>(StringComparer.Ordinal);
        var fieldIndex = -1;
        for (var i = 0; i < parts.Length; i++)
        {
            var p = parts[i];
            if (p.Length == 0)
            {
                error = $"topic template '{template}' has an empty level at position {i + 1}";
                return false;
            }

            if (p[0] == '{' || p[^1] == '}' || p.Contains('{') || p.Contains('}'))
            {
                if (p.Length < 3 || p[0] != '{' || p[^1] != '}' || !IsIdentifier(p.AsSpan(1, p.Length - 2)))
                {
                    error = $"topic template '{template}': level '{p}' must be either plain text or one whole named segment like {{building}} (letters, digits, '_')";
                    return false;
                }

                var name = p[1..^1];
                if (!names.Add(name))
                {
                    error = $"topic template '{template}' uses the segment name '{name}' twice";
                    return false;
                }

                if (name == FieldSegmentName)
                {
                    fieldIndex = i;
                }

                segments[i] = new TopicSegment(null, string.Intern(name));
            }
            else
            {
                segments[i] = new TopicSegment(p, null);
            }
        }

        var deviceIndex = -1;
        if (deviceIdSegment is not null)
        {
            deviceIndex = Array.FindIndex(segments, s => s.Name == deviceIdSegment);
            if (deviceIndex < 0)
            {
                error = $"device_id names the segment '{deviceIdSegment}', which topic template '{template}' does not have (segments: {string.Join(", ", names)})";
                return false;
            }
        }
        else
        {
            foreach (var candidate in (string[])["deviceId", "device", "dev"])
            {
                deviceIndex = Array.FindIndex(segments, s => s.Name == candidate);
                if (deviceIndex >= 0)
                {
                    break;
                }
            }

            if (deviceIndex < 0)
            {
                error = $"topic template '{template}' has no device id segment; name one {{deviceId}} or set device_id to the segment that identifies the device";
                return false;
            }
        }

        if (deviceIndex == fieldIndex)
        {
            error = $"topic template '{template}': the {{field}} segment cannot be the device id";
            return false;
        }

        result = new TopicTemplate(template, segments, deviceIndex, fieldIndex);
        error = "";
        return true;
    }

    public static TopicTemplate Parse(string template, string? deviceIdSegment = null) =>
        TryParse(template, deviceIdSegment, out var t, out var error) ? t! : throw new FormatException(error);

    /// <summary>
    /// Matches a topic, filling <paramref name="levels"/> (length &gt;= <see cref="SegmentCount"/>) with the range of every level.
    /// Allocation-free.
    /// </summary>
    public bool TryMatch(ReadOnlySpan<char> topic, Span<Range> levels) => TryMatch(topic, levels, '/');

    /// <summary>As <see cref="TryMatch(ReadOnlySpan{char}, Span{Range})"/>, for topics whose levels are separated by <paramref name="separator"/> (<c>.</c> for subjects).</summary>
    public bool TryMatch(ReadOnlySpan<char> topic, Span<Range> levels, char separator)
    {
        var start = 0;
        for (var i = 0; i < _segments.Length; i++)
        {
            int end;
            if (i == _segments.Length - 1)
            {
                end = topic.Length;
                if (topic[start..].Contains(separator))
                {
                    return false;
                }
            }
            else
            {
                var slash = topic[start..].IndexOf(separator);
                if (slash < 0)
                {
                    return false;
                }

                end = start + slash;
            }

            var level = topic[start..end];
            var seg = _segments[i];
            if (seg.Literal is not null)
            {
                if (!level.SequenceEqual(seg.Literal))
                {
                    return false;
                }
            }
            else if (level.IsEmpty)
            {
                return false; // an empty id is never a device
            }

            levels[i] = new Range(start, end);
            start = end + 1;
        }

        return true;
    }

    /// <summary>True when some topic would match both templates (same depth; every level equal or named in at least one).</summary>
    public bool Overlaps(TopicTemplate other)
    {
        if (other._segments.Length != _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < _segments.Length; i++)
        {
            var a = _segments[i];
            var b = other._segments[i];
            if (a.Literal is not null && b.Literal is not null && !string.Equals(a.Literal, b.Literal, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Fills named segments from <paramref name="values"/> (simulator, docs).</summary>
    public string Format(Func<string, string> values) => Format(values, TopicSyntax.Mqtt);

    public string Format(Func<string, string> values, TopicSyntax syntax) =>
        string.Join(syntax.Separator, _segments.Select(s => s.IsNamed ? values(s.Name!) : s.Literal));

    public override string ToString() => Template;

    private static bool IsIdentifier(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty || !(char.IsAsciiLetter(s[0]) || s[0] == '_'))
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }
}
