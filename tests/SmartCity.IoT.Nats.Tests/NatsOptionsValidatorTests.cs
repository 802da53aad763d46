namespace SmartCity.IoT.Nats.Tests;

public sealed class NatsOptionsValidatorTests
{
    [Fact]
    public void An_empty_url_leaves_the_source_off_and_is_valid()
    {
        Assert.True(new NatsOptionsValidator().Validate(null, new NatsOptions { Instances = 0 }).Succeeded);
    }

    [Theory]
    [InlineData("http://127.0.0.1:4222", 0, 0, 1, "Nats:Url 'http://127.0.0.1:4222' is not a NATS server address")]
    [InlineData("nats://127.0.0.1:4222", 4, 4, 2, "Nats:Instance is 4: it must be from 0 to Nats:Instances - 1 (1).")]
    [InlineData("nats://127.0.0.1:4222", 2, 0, 3, "Nats:Instances is 3 for 2 partitions: instance 0 would own none")]
    [InlineData("nats://127.0.0.1:4222", 0, 0, 2, "Nats:Instances is above 1 with Nats:Partitions 0")]
    public void A_mistake_is_named_with_its_key_and_what_to_set(string url, int partitions, int instance, int instances, string expected)
    {
        var result = new NatsOptionsValidator().Validate(null, new NatsOptions { Url = url, Partitions = partitions, Instance = instance, Instances = instances });
        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void A_stream_name_with_a_dot_is_refused()
    {
        var result = new NatsOptionsValidator().Validate(null, new NatsOptions { Url = "nats://127.0.0.1:4222", Stream = "readings.v1" });
        Assert.Contains(result.Failures!, f => f.StartsWith("Nats:Stream 'readings.v1' is not a valid NATS name", StringComparison.Ordinal));
    }
}
