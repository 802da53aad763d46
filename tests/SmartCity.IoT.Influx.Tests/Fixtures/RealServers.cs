namespace SmartCity.IoT.Influx.Tests.Fixtures;

/// <summary>One influxd and one victoria-metrics shared by the tests that only write and read (each uses its own database).</summary>
public sealed class RealServers : IAsyncLifetime
{
    public InfluxServer Influx { get; } = new();

    public VictoriaMetricsServer Victoria { get; } = new();

    public async Task InitializeAsync() => await Task.WhenAll(Influx.InitializeAsync(), Victoria.InitializeAsync());

    public async Task DisposeAsync()
    {
        await Influx.DisposeAsync();
        await Victoria.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class RealServersCollection : ICollectionFixture<RealServers>
{
    public const string Name = "real servers";
}
