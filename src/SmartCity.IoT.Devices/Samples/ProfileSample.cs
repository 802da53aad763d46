using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Devices.Codecs;

namespace SmartCity.IoT.Devices.Samples;

/// <summary>A sample payload carried by a profile, with what it must decode to. Each one is a test case.</summary>
internal sealed class ProfileSample
{
    public required string ProfileId { get; init; }

    public required string Name { get; init; }

    public required string File { get; init; }

    public int Line { get; init; }

    public int Column { get; init; }

    public required string Topic { get; init; }

    public required byte[] Payload { get; init; }

    /// <summary>Receive time handed to the decoder (Unix ns); the reading's time when the payload has none.</summary>
    public long ReceivedUnixNs { get; init; }

    /// <summary>Expected line protocol (compared semantically), or null.</summary>
    public string? Expect { get; init; }

    /// <summary>Expected error: a reason code (malformed_payload, out_of_range, …) or a substring of the message.</summary>
    public string? ExpectError { get; init; }

    /// <summary>Reason codes or message substrings of fields that must be rejected while the reading still succeeds.</summary>
    public IReadOnlyList<string> ExpectRejected { get; init; } = [];

    /// <summary>For availability samples: the expected state (<c>expect_online</c>).</summary>
    public DeviceAvailability? ExpectAvailability { get; init; }

    /// <summary>Messages decoded first, on a clean state (<c>after:</c> names earlier samples; a Sparkplug DATA after its BIRTH).</summary>
    public IReadOnlyList<SampleMessage> Before { get; init; } = [];

    /// <summary>The profile's decoder when it remembers earlier messages: reset before and after the sample runs.</summary>
    public IStatefulDecoder? State { get; init; }

    /// <summary>An example vector of the profile's JavaScript codec (its codec file's <c>examples</c>): run through the codec alone.</summary>
    public CodecExample? CodecExample { get; init; }

    public bool IsValid => ExpectError is null;

    public override string ToString() => $"{ProfileId}: {Name}";
}
