using System.Globalization;
using System.Text;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Loading;
using SmartCity.IoT.Devices.Samples;
using YamlDotNet.RepresentationModel;

namespace SmartCity.IoT.Devices.Loading;

/// <summary>A profile's <c>samples:</c>: payloads with the reading or the error they must give (run by <c>devices validate</c>).</summary>
internal static class SampleParser
{
    /// <summary>The receive time samples use unless they set received_at: 2025-11-23T00:00:00Z.</summary>
    public const long DefaultReceivedUnixNs = 1_763_856_000_000_000_000L;

    public static List<ProfileSample> Parse(YamlSource file, YamlMappingNode root, string id, IStatefulDecoder? state = null)
    {
        var list = new List<ProfileSample>();
        if (YamlSource.Get(root, "samples") is not { } node)
        {
            file.Error(YamlSource.KeyNode(root, "id"), "the profile has no 'samples'; add at least two payloads with their expected readings and one invalid payload with its error");
            return list;
        }

        if (file.AsSeq(node, "'samples'") is not { } seq)
        {
            return list;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in seq)
        {
            if (file.AsMap(item, "a sample") is not { } m)
            {
                continue;
            }

            file.CheckKeys(m, "a sample", ProfileLoader.SampleKeys);
            var name = file.Str(m, "name", "a sample", required: true) ?? $"sample at line {item.Start.Line}";
            if (!names.Add(name))
            {
                file.Error(YamlSource.Get(m, "name"), $"sample name '{name}' is used twice; names become test names");
            }

            var what = $"sample '{name}'";
            var topic = file.Str(m, "topic", what, required: true) ?? "";
            byte[]? payload = null;
            var kinds = 0;
            if (file.Str(m, "payload", what) is { } text)
            {
                payload = Encoding.UTF8.GetBytes(text);
                kinds++;
            }

            if (file.Str(m, "payload_hex", what) is { } hex)
            {
                var buffer = new byte[hex.Length];
                if (!HexText.TryDecode(Encoding.ASCII.GetBytes(hex), buffer, out var n))
                {
                    file.Error(YamlSource.Get(m, "payload_hex"), $"{what}: payload_hex is not valid hex");
                }

                payload = buffer[..n];
                kinds++;
            }

            if (file.Str(m, "payload_base64", what) is { } b64)
            {
                try
                {
                    payload = Convert.FromBase64String(b64);
                }
                catch (FormatException)
                {
                    file.Error(YamlSource.Get(m, "payload_base64"), $"{what}: payload_base64 is not valid base64");
                }

                kinds++;
            }

            if (kinds != 1)
            {
                file.Error(item, $"{what} needs exactly one of payload, payload_hex, payload_base64");
            }

            var received = DefaultReceivedUnixNs;
            if (file.Str(m, "received_at", what) is { } ra)
            {
                if (DateTimeOffset.TryParse(ra, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var dto))
                {
                    received = (dto.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;
                }
                else
                {
                    file.Error(YamlSource.Get(m, "received_at"), $"{what}: received_at '{ra}' is not an ISO 8601 time");
                }
            }

            var expect = file.Str(m, "expect", what);
            var expectError = file.Str(m, "expect_error", what);
            var expectOnline = file.Str(m, "expect_online", what);
            if ((expect is null ? 0 : 1) + (expectError is null ? 0 : 1) + (expectOnline is null ? 0 : 1) != 1)
            {
                file.Error(item, $"{what} needs exactly one of expect (line protocol), expect_error (reason code or message) or expect_online (true/false, or online, offline, sleeping, unknown)");
            }

            var before = new List<SampleMessage>();
            foreach (var earlier in file.StrList(m, "after", what) ?? [])
            {
                if (list.Find(s => s.Name == earlier) is not { } prior)
                {
                    file.Error(YamlSource.Get(m, "after"), $"{what}: 'after' names '{earlier}', which is not a sample above this one");
                    continue;
                }

                before.AddRange(prior.Before);
                before.Add(new SampleMessage(prior.Topic, prior.Payload, prior.ReceivedUnixNs));
            }

            if (before.Count > 0 && state is null)
            {
                file.Error(YamlSource.Get(m, "after"), $"{what}: 'after' is for formats that remember earlier messages (sparkplug)");
            }

            list.Add(new ProfileSample
            {
                Before = before,
                State = state,
                ProfileId = id,
                Name = name,
                File = file.File,
                Line = (int)item.Start.Line,
                Column = (int)item.Start.Column,
                Topic = topic,
                Payload = payload ?? [],
                ReceivedUnixNs = received,
                Expect = expect,
                ExpectError = expectError,
                ExpectRejected = file.StrList(m, "expect_rejected", what) ?? [],
                ExpectAvailability = expectOnline is null ? null : DeviceAvailabilityNames.TryParse(expectOnline, out var availability) ? availability : Invalid(file, m, what, expectOnline),
            });
        }

        if (list.Count(s => s.IsValid && s.ExpectAvailability is null) < 2)
        {
            file.Error(node, "a profile needs at least two valid samples with an 'expect' reading");
        }

        if (!list.Any(s => !s.IsValid))
        {
            file.Error(node, "a profile needs at least one invalid sample with 'expect_error' (what a bad payload must say)");
        }

        return list;
    }

    private static DeviceAvailability? Invalid(YamlSource file, YamlMappingNode m, string what, string text)
    {
        file.Error(YamlSource.Get(m, "expect_online"), $"{what}: expect_online '{text}' must be true, false, online, offline, sleeping or unknown");
        return null;
    }
}
