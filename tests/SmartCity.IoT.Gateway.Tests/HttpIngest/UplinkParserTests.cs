using System.Text;
using SmartCity.IoT.Gateway.HttpIngest;

namespace SmartCity.IoT.Gateway.Tests.HttpIngest;

public sealed class UplinkParserTests
{
    private const string Tts = """
        {"end_device_ids":{"device_id":"lht65-0009","application_ids":{"application_id":"pavilion-lht65"},"dev_eui":"A840414A81834E9B"},
         "correlation_ids":["as:up:01J"],"received_at":"2025-11-23T08:00:00.200Z",
         "uplink_message":{"f_port":2,"f_cnt":412,"frm_payload":"y70JJAI1AX//","received_at":"2025-11-23T08:00:00.123Z"}}
        """;

    private const string ChirpStack = """
        {"deduplicationId":"3f0c1e52-9a4b-4d7e-8c21-5b6a7d8e9f01","time":"2025-11-23T08:00:00.123Z",
         "deviceInfo":{"applicationId":"6f1c2a9e","deviceName":"lht65-office","devEui":"a840414a81834e9b"},"fCnt":412,"fPort":2,"data":"y70JJAI1AX//"}
        """;

    [Fact]
    public void A_TTS_uplink_gets_the_TTS_MQTT_topic_and_its_receive_time_as_id()
    {
        var parsed = Parser(UplinkFormat.Tts).Parse(Bytes(Tts), null);

        Assert.Equal(UplinkKind.Uplink, parsed.Kind);
        Assert.Equal("v3/pavilion-lht65@ttn/devices/lht65-0009/up", parsed.Topic);
        Assert.Equal("pavilion-lht65/lht65-0009/2025-11-23T08:00:00.123Z/412", parsed.DedupeKey);
    }

    [Fact]
    public void A_ChirpStack_uplink_gets_the_ChirpStack_MQTT_topic_and_its_deduplication_id()
    {
        var parsed = Parser(UplinkFormat.ChirpStack).Parse(Bytes(ChirpStack), "up");

        Assert.Equal(UplinkKind.Uplink, parsed.Kind);
        Assert.Equal("application/6f1c2a9e/device/a840414a81834e9b/event/up", parsed.Topic);
        Assert.Equal("3f0c1e52-9a4b-4d7e-8c21-5b6a7d8e9f01", parsed.DedupeKey);
    }

    [Fact]
    public void A_configured_topic_takes_every_placeholder()
    {
        var topic = UplinkTopic.TryParse("lora/{application}/{device}/{dev_eui}/{f_port}", out _)!;
        var parsed = new UplinkParser(UplinkFormat.ChirpStack, topic).Parse(Bytes(ChirpStack), "up");

        Assert.Equal("lora/6f1c2a9e/lht65-office/a840414a81834e9b/2", parsed.Topic);
    }

    [Theory]
    [InlineData("join")]
    [InlineData("status")]
    [InlineData("txack")]
    public void ChirpStack_events_other_than_up_are_ignored(string eventName)
    {
        var parsed = Parser(UplinkFormat.ChirpStack).Parse(Bytes("""{"deviceInfo":{"devEui":"a8"}}"""), eventName);

        Assert.Equal(UplinkKind.Ignored, parsed.Kind);
        Assert.Contains(eventName, parsed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_TTS_message_other_than_an_uplink_is_ignored()
    {
        var parsed = Parser(UplinkFormat.Tts).Parse(Bytes("""{"end_device_ids":{"device_id":"d1"},"received_at":"2025-11-23T08:00:00Z","join_accept":{"session_key_id":"AY"}}"""), null);

        Assert.Equal(UplinkKind.Ignored, parsed.Kind);
        Assert.Contains("join_accept", parsed.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(nameof(UplinkFormat.Tts), "", "the body is empty")]
    [InlineData(nameof(UplinkFormat.Tts), "{\"end_device_ids\":", "not valid JSON")]
    [InlineData(nameof(UplinkFormat.Tts), "[1,2]", "a JSON array, expected an object")]
    [InlineData(nameof(UplinkFormat.Tts), "{\"uplink_message\":{}}", "no end_device_ids object")]
    [InlineData(nameof(UplinkFormat.Tts), "{\"end_device_ids\":{},\"uplink_message\":{}}", "end_device_ids.device_id is missing")]
    [InlineData(nameof(UplinkFormat.Tts), "{\"end_device_ids\":{\"device_id\":\"d1\"},\"uplink_message\":{}}", "end_device_ids.application_ids.application_id is missing or empty (the topic template needs it for {application})")]
    [InlineData(nameof(UplinkFormat.Tts), "{\"end_device_ids\":{\"device_id\":\"d1\"},\"uplink_message\":{\"frm_payload\":\"not base64!\"}}", "uplink_message.frm_payload is not valid base64 text")]
    [InlineData(nameof(UplinkFormat.Tts), "{\"end_device_ids\":{\"device_id\":\"d1\"},\"uplink_message\":{\"frm_payload\":12}}", "uplink_message.frm_payload is a JSON number, expected base64 text")]
    [InlineData(nameof(UplinkFormat.Tts), "{\"end_device_ids\":{\"device_id\":\"a/b\",\"application_ids\":{\"application_id\":\"app\"}},\"uplink_message\":{}}", "end_device_ids.device_id 'a/b' cannot be part of a topic")]
    [InlineData(nameof(UplinkFormat.ChirpStack), "{\"time\":\"x\"}", "no deviceInfo object")]
    [InlineData(nameof(UplinkFormat.ChirpStack), "{\"deviceInfo\":{\"applicationId\":\"a\"}}", "deviceInfo.devEui is missing or empty")]
    [InlineData(nameof(UplinkFormat.ChirpStack), "{\"deviceInfo\":{\"devEui\":\"a8\"}}", "deviceInfo.applicationId is missing or empty")]
    [InlineData(nameof(UplinkFormat.ChirpStack), "{\"deviceInfo\":{\"devEui\":\"a8\",\"applicationId\":\"a\"},\"data\":\"%%\"}", "data is not valid base64 text")]
    public void A_bad_body_is_invalid_with_the_reason(string format, string body, string reason)
    {
        var parsed = Parser(Enum.Parse<UplinkFormat>(format)).Parse(Bytes(body), "up");

        Assert.Equal(UplinkKind.Invalid, parsed.Kind);
        Assert.Contains(reason, parsed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_ChirpStack_post_without_its_event_query_is_invalid()
    {
        var parsed = Parser(UplinkFormat.ChirpStack).Parse(Bytes(ChirpStack), null);

        Assert.Equal(UplinkKind.Invalid, parsed.Kind);
        Assert.Contains("?event=", parsed.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("v3/{app}/up", "'{app}' is not a placeholder")]
    [InlineData("v3/+/up", "no '+', '#'")]
    [InlineData("/v3/{device}", "leading '/'")]
    public void A_bad_topic_template_is_refused(string template, string error)
    {
        Assert.Null(UplinkTopic.TryParse(template, out var message));
        Assert.Contains(error, message, StringComparison.Ordinal);
    }

    private static UplinkParser Parser(UplinkFormat format) =>
        new(format, UplinkTopic.TryParse(new HttpIngestSourceOptions { Format = format.ToString() }.EffectiveTopic, out _)!);

    private static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);
}
