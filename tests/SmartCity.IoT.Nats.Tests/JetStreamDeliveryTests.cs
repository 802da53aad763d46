namespace SmartCity.IoT.Nats.Tests;

public sealed class JetStreamDeliveryTests
{
    [Fact]
    public void An_acknowledgement_subject_gives_the_stream_sequence_the_delivery_count_and_the_stored_time()
    {
        Assert.True(JetStreamDelivery.TryRead("p.3.buildings.hq.env.ies-1.telemetry", "$JS.ACK.READINGS.smartcity-p3.2.6922.873.1796164502820516322.11", out var d));
        Assert.Equal(new JetStreamDelivery("p.3.buildings.hq.env.ies-1.telemetry", "$JS.ACK.READINGS.smartcity-p3.2.6922.873.1796164502820516322.11", 6922, 2, 1796164502820516322), d);
    }

    [Fact]
    public void The_form_with_a_domain_and_an_account_hash_is_read_too()
    {
        Assert.True(JetStreamDelivery.TryRead("p.0.a", "$JS.ACK.hub.ACCHASH.READINGS.smartcity-p0.1.42.7.1796164502820516322.0.abc123", out var d));
        Assert.Equal((42ul, 1ul, 1796164502820516322L), (d.StreamSequence, d.NumDelivered, d.TimestampNs));
    }

    [Fact]
    public void A_subject_split_at_its_at_sign_onto_the_reply_is_put_back_together()
    {
        // What a nats-server 2.9 cluster hands over for p.0.v3.pavilion-lht65@ttn.devices.lht65-0007.up across a route.
        Assert.True(JetStreamDelivery.TryRead("ttn.devices.lht65-0007.up", "$JS.ACK.READINGS.smartcity-p0.1.6922.873.1796164502820516322.2011@p.0.v3.pavilion-lht65", out var d));
        Assert.Equal("p.0.v3.pavilion-lht65@ttn.devices.lht65-0007.up", d.Subject);
        Assert.Equal("$JS.ACK.READINGS.smartcity-p0.1.6922.873.1796164502820516322.2011", d.ReplyTo);
        Assert.Equal(6922ul, d.StreamSequence);
    }

    [Fact]
    public void A_subject_with_several_at_signs_is_put_back_together_from_the_first()
    {
        Assert.True(JetStreamDelivery.TryRead("c.up", "$JS.ACK.S.c.1.5.5.1796164502820516322.0@p.0.a@b", out var d));
        Assert.Equal("p.0.a@b@c.up", d.Subject);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("_INBOX.abc")]
    [InlineData("$JS.ACK.READINGS.c.x.5.5.1.0")]
    [InlineData("$JS.ACK.READINGS.c.1.5")]
    public void A_reply_that_is_not_an_acknowledgement_subject_is_refused_and_kept_as_given(string? reply)
    {
        Assert.False(JetStreamDelivery.TryRead("p.0.a", reply, out var d));
        Assert.Equal("p.0.a", d.Subject);
        Assert.Equal(reply ?? "", d.ReplyTo);
        Assert.Equal(0ul, d.StreamSequence);
    }
}
