namespace SmartCity.IoT.Nats.Tests;

public sealed class NatsPartitionsTests
{
    [Theory]
    [InlineData(8, 0, 3, new[] { 0, 3, 6 })]
    [InlineData(8, 2, 3, new[] { 2, 5 })]
    [InlineData(4, 0, 1, new[] { 0, 1, 2, 3 })]
    public void An_instance_owns_every_partition_n_with_n_mod_instances_equal_to_its_ordinal(int partitions, int instance, int instances, int[] owned)
    {
        var p = new NatsPartitions(new NatsOptions { Partitions = partitions, Instance = instance, Instances = instances });
        Assert.Equal(owned, p.Owned);
        Assert.Equal($"p.{owned[0]}.>", p.FilterFor(owned[0]));
        Assert.Equal($"smartcity-p{owned[0]}", p.ConsumerFor("smartcity", owned[0]));
    }

    [Fact]
    public void Without_partitions_one_consumer_reads_the_whole_stream_and_subjects_are_left_whole()
    {
        var p = new NatsPartitions(new NatsOptions());
        Assert.Equal([-1], p.Owned);
        Assert.Equal(">", p.FilterFor(-1));
        Assert.Equal("smartcity", p.ConsumerFor("smartcity", -1));
        Assert.Equal("p.3.buildings.hq", p.TopicOf("p.3.buildings.hq", -1));
    }

    [Theory]
    [InlineData("p.3.buildings.hq.env.ies-1.telemetry", "buildings.hq.env.ies-1.telemetry")]
    [InlineData("p.12.x", "x")]
    [InlineData("pq.3.x", "pq.3.x")]
    [InlineData("p.", "p.")]
    [InlineData("other.subject", "other.subject")]
    public void The_partition_prefix_is_taken_off_before_topic_templates_match(string subject, string topic)
    {
        var p = new NatsPartitions(new NatsOptions { Partitions = 16 });
        Assert.Equal(topic, p.TopicOf(subject, 3));
    }
}
