using System.Buffers;
using System.Text;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.LineProtocol;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Devices.Samples;

/// <summary>Runs a sample through the real decoder and the real line-protocol encoder and compares with its expectation.</summary>
internal static class SampleRunner
{
    public static SampleOutcome Run(ProfileSample sample, MessageDecoder decoder, FieldVocabulary vocabulary)
    {
        var readings = new ReadingSet(Math.Max(1, vocabulary.Count));
        var result = decoder.Decode(sample.Topic, sample.Payload, readings, sample.ReceivedUnixNs);
        var reading = readings.First;
        var actualLines = result.IsSuccess && !result.IsAvailability ? ToLineProtocol(readings, vocabulary) : [];
        var actual = actualLines.Count > 0 ? string.Join("\n", actualLines) : null;
        if (result.Error != DecodeError.NoMatchingProfile && reading.Profile is { } p && p.Id != sample.ProfileId)
        {
            return new SampleOutcome(sample, false, $"topic '{sample.Topic}' was routed to profile {p.Id}, not {sample.ProfileId}: the topic templates overlap", actual);
        }

        if (sample.ExpectError is { } expectedError)
        {
            var message = result.IsSuccess ? null : $"{result.Error.Code()}: {result.Detail}";
            if (result.IsSuccess)
            {
                return new SampleOutcome(sample, false, $"should fail with '{expectedError}' but decoded to: {actual ?? result.ToString()}{(result.RejectedFields > 0 ? $" (rejected: {result.RejectionDetail})" : "")}", actual);
            }

            // "out_of_range" also matches a message that failed because its only field was out of range.
            return Matches(expectedError, result.Error, message!) || (result.RejectedFields > 0 && Matches(expectedError, result.RejectionReason, message!))
                ? new SampleOutcome(sample, true, message!, actual)
                : new SampleOutcome(sample, false, $"should fail with '{expectedError}' but failed with '{message}'", actual);
        }

        if (!result.IsSuccess)
        {
            return new SampleOutcome(sample, false, $"did not decode: {result.Error.Code()}: {result.Detail}", actual);
        }

        if (sample.ExpectOnline is { } online)
        {
            return !result.IsAvailability
                ? new SampleOutcome(sample, false, "expected an availability message but the topic is a telemetry topic", actual)
                : result.Online == online
                    ? new SampleOutcome(sample, true, online ? "online" : "offline", actual)
                    : new SampleOutcome(sample, false, $"expected {(online ? "online" : "offline")}, got {(result.Online ? "online" : "offline")}", actual);
        }

        if (result.IsAvailability)
        {
            return new SampleOutcome(sample, false, $"the topic is an availability topic ({(result.Online ? "online" : "offline")}); use expect_online", actual);
        }

        foreach (var rejected in sample.ExpectRejected)
        {
            if (result.RejectedFields == 0 || !Matches(rejected, result.RejectionReason, result.RejectionDetail ?? ""))
            {
                return new SampleOutcome(sample, false, $"expected a rejected field matching '{rejected}', got {(result.RejectedFields == 0 ? "none" : result.RejectionDetail)}", actual);
            }
        }

        if (sample.ExpectRejected.Count == 0 && result.RejectedFields > 0)
        {
            return new SampleOutcome(sample, false, $"rejected field(s): {result.RejectionDetail} (fix the payload, or list them under expect_rejected)", actual);
        }

        var expectedLines = sample.Expect!.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var expected = new List<LineProtocolPoint>();
        try
        {
            expected.AddRange(expectedLines.Select(LineProtocolPoint.Parse));
        }
        catch (FormatException e)
        {
            return new SampleOutcome(sample, false, $"has an 'expect' that is not valid line protocol: {e.Message}", actual);
        }

        if (actual is null)
        {
            return new SampleOutcome(sample, false, "decoded to a reading with no writable field", actual);
        }

        if (expected.Count != actualLines.Count)
        {
            return new SampleOutcome(sample, false, $"decodes to {actualLines.Count} reading(s), expected {expected.Count} (one 'expect' line per reading, in time order). Actual:\n{actual}", actual);
        }

        var diffs = new List<string>();
        for (var i = 0; i < expected.Count; i++)
        {
            var d = expected[i].DiffersFrom(LineProtocolPoint.Parse(actualLines[i]));
            diffs.AddRange(expected.Count == 1 ? d : d.Select(x => $"reading {i + 1}: {x}"));
        }

        return diffs.Count == 0
            ? new SampleOutcome(sample, true, "ok", actual)
            : new SampleOutcome(sample, false, $"does not decode to its expected reading{(expected.Count > 1 ? "s" : "")}: {string.Join("; ", diffs)}. Actual: {actual}", actual);
    }

    /// <summary>The lines the real encoder writes for the message's readings (without newlines), in order.</summary>
    public static List<string> ToLineProtocol(ReadingSet readings, FieldVocabulary vocabulary)
    {
        var lines = new List<string>();
        for (var i = 0; i < readings.Count; i++)
        {
            if (ToLineProtocol(readings[i], vocabulary) is { } line)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    /// <summary>The line the real encoder writes for <paramref name="reading"/> (without the newline), or null.</summary>
    public static string? ToLineProtocol(Reading reading, FieldVocabulary vocabulary)
    {
        var buffer = new ArrayBufferWriter<byte>();
        return LineProtocolWriter.WriteReading(buffer, reading, vocabulary) ? Encoding.UTF8.GetString(buffer.WrittenSpan).TrimEnd('\n') : null;
    }

    private static bool Matches(string expected, DecodeError error, string message) =>
        string.Equals(expected, error.Code(), StringComparison.Ordinal) || message.Contains(expected, StringComparison.OrdinalIgnoreCase);
}
