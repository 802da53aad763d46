using SmartCity.IoT.Devices.Samples;

namespace SmartCity.IoT.Devices.Codecs;

/// <summary>One entry of a TTN-style codec file's <c>uplinkDecoder.examples</c>: input bytes and fPort, and the output the codec must return.</summary>
/// <param name="ExpectedJson">The example's <c>output</c> (<c>{data}</c>, or <c>{errors}</c>) as JSON.</param>
internal sealed record CodecExample(CodecPayloadDecoder Decoder, string Description, int FPort, byte[] Bytes, string ExpectedJson, string File, int Line, int Column)
{
    public ProfileSample ToSample(string profileId) => new()
    {
        ProfileId = profileId,
        Name = "codec example: " + Description,
        File = File,
        Line = Line,
        Column = Column,
        Topic = "",
        Payload = Bytes,
        CodecExample = this,
    };
}
