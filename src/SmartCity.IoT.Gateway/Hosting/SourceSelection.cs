namespace SmartCity.IoT.Gateway.Hosting;

/// <summary>
/// Which sources the configuration asks for: NATS when <c>Nats:Url</c> is set, HTTP ingest when <c>HttpIngest:Sources</c>
/// lists any, MQTT when <c>Mqtt:Host</c> or <c>Mqtt:Sources</c> is set, or when nothing else is (the demo: the embedded
/// broker and the simulator).
/// </summary>
internal sealed record SourceSelection(bool Mqtt, bool Nats, bool HttpIngest)
{
    public static SourceSelection From(IConfiguration configuration)
    {
        var nats = !string.IsNullOrWhiteSpace(configuration["Nats:Url"]);
        var http = configuration.GetSection("HttpIngest:Sources").GetChildren().Any();
        var mqtt = !string.IsNullOrWhiteSpace(configuration["Mqtt:Host"]) || configuration.GetSection("Mqtt:Sources").GetChildren().Any();
        return new SourceSelection(mqtt || (!nats && !http), nats, http);
    }
}
