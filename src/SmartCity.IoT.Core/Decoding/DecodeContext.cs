using SmartCity.IoT.Core.Devices;
using SmartCity.IoT.Core.Model;

namespace SmartCity.IoT.Core.Decoding;

/// <summary>Mutable per-message state threaded through the decoders by ref; lives on the stack.</summary>
public struct DecodeContext
{
    /// <summary>
    /// The message's readings: the decoder's <c>reading</c> argument is <see cref="ReadingSet.First"/>; a decoder that
    /// finds several samples, devices or field instances takes further readings here (<see cref="ReadingSet.Add"/>,
    /// <see cref="ReadingSet.For(long)"/>). Set by <see cref="MessageDecoder"/>.
    /// </summary>
    public ReadingSet Readings;

    /// <summary>When the message arrived (Unix ns): "now" for payloads that give times relative to it (SenML).</summary>
    public long ReceivedUnixNs;

    public DecodeError Error;
    public string? Detail;
    public int RejectedFields;
    public DecodeError RejectionReason;
    public string? RejectionDetail;
    public bool HasTimestamp;
    public long TimestampNs;
    public bool AvailabilityKnown;
    public DeviceAvailability Availability;

    /// <summary>The availability also covers the devices behind this one (a Sparkplug edge node's NDEATH).</summary>
    public bool AvailabilityIncludesChildren;

    /// <summary>Something worth logging that does not reject anything (a Sparkplug seq gap, a codec's warnings); error path only.</summary>
    public string? Warning;

    public readonly bool Online => Availability == DeviceAvailability.Online;

    public readonly bool Failed => Error != DecodeError.None;

    public void Fail(DecodeError error, string detail)
    {
        if (Error == DecodeError.None)
        {
            Error = error;
            Detail = detail;
        }
    }

    /// <summary>Drops one field but keeps the reading (error path: may allocate).</summary>
    public void Reject(DecodeError reason, string detail)
    {
        if (RejectedFields++ == 0)
        {
            RejectionReason = reason;
            RejectionDetail = detail;
        }
        else
        {
            RejectionDetail = RejectionDetail + "; " + detail;
        }
    }

    public void SetAvailability(DeviceAvailability availability, bool includesChildren = false)
    {
        AvailabilityKnown = true;
        Availability = availability;
        AvailabilityIncludesChildren = includesChildren;
    }

    /// <summary>Adds a warning (error path: may allocate).</summary>
    public void Warn(string warning) => Warning = Warning is null ? warning : Warning + "; " + warning;
}
