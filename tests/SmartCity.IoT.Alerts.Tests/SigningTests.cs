using System.Security.Cryptography;
using System.Text;
using SmartCity.IoT.Alerts.Options;
using SmartCity.IoT.Alerts.Signing;

namespace SmartCity.IoT.Alerts.Tests;

public sealed class SigningTests
{
    // Fixed secrets so the verifier below shares nothing with the signer but the spec.
    private const string SecretA = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SecretB = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    /// <summary>
    /// A receiver written from Standard Webhooks v1 (spec/standard-webhooks.md), not from our code: signed content is
    /// "{id}.{timestamp}.{body}", HMAC-SHA256 keyed with base64-decode(secret without "whsec_"), header holds space-separated
    /// "v1,{base64}" entries, timestamps older or newer than 5 minutes are rejected, comparison is constant-time.
    /// </summary>
    internal static bool Verify(string secret, IReadOnlyDictionary<string, string> headers, byte[] body, DateTimeOffset now)
    {
        var id = headers["webhook-id"];
        var ts = long.Parse(headers["webhook-timestamp"], System.Globalization.CultureInfo.InvariantCulture);
        if (Math.Abs(now.ToUnixTimeSeconds() - ts) > 5 * 60)
        {
            return false;
        }

        var key = Convert.FromBase64String(secret["whsec_".Length..]);
        var content = Encoding.UTF8.GetBytes($"{id}.{ts}.").Concat(body).ToArray();
        var expected = Encoding.ASCII.GetBytes(Convert.ToBase64String(new HMACSHA256(key).ComputeHash(content)));
        foreach (var part in headers["webhook-signature"].Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var comma = part.IndexOf(',', StringComparison.Ordinal);
            if (comma > 0 && part[..comma] == "v1" && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(part[(comma + 1)..]), expected))
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public async Task Independent_verifier_accepts_our_signature_and_rejects_tampering_and_old_timestamps()
    {
        await using var receiver = await Receiver.StartAsync(200);
        await using var h = new Harness([new WebhookEndpointOptions { Name = "ops", Url = receiver.Url, Secret = SecretA, Secrets = [SecretB] }]);
        h.Publish(TestAlerts.Firing());
        await h.Dispatcher.DeliverDueAsync();

        var req = Assert.Single(receiver.Requests);
        var now = DateTimeOffset.UtcNow;
        Assert.StartsWith("msg_", req.WebhookId, StringComparison.Ordinal);
        Assert.True(Verify(SecretA, req.Headers, req.Body, now), "current secret");
        Assert.True(Verify(SecretB, req.Headers, req.Body, now), "second secret (rotation)");
        Assert.False(Verify("whsec_" + Convert.ToBase64String(new byte[32]), req.Headers, req.Body, now), "unrelated secret");

        var tampered = (byte[])req.Body.Clone();
        tampered[^2] ^= 0x01;
        Assert.False(Verify(SecretA, req.Headers, tampered, now), "tampered body");
        Assert.False(Verify(SecretA, req.Headers, req.Body, now.AddMinutes(6)), "timestamp older than 5 minutes");
        var otherId = new Dictionary<string, string>(req.Headers) { ["webhook-id"] = "msg_other" };
        Assert.False(Verify(SecretA, otherId, req.Body, now), "id is part of the signed content");
        Assert.Equal(2, req.Headers["webhook-signature"].Split(' ').Length);
    }

    [Fact]
    public void Signature_matches_the_spec_test_vector()
    {
        // The example from the Standard Webhooks reference libraries (standard-webhooks/libraries, test vectors).
        var secret = WebhookSecret.Parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        var body = Encoding.UTF8.GetBytes("{\"test\": 2432232314}");
        var sig = WebhookSigner.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body, [secret]);
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", sig);
    }

    [Theory]
    [InlineData("secret123", "must start with 'whsec_'")]
    [InlineData("whsec_!!!notbase64", "not valid base64")]
    [InlineData("whsec_AAAA", "decodes to 3 bytes")]
    public void Bad_secrets_are_rejected_with_a_reason(string text, string expected)
    {
        Assert.False(WebhookSecret.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Generated_secrets_parse()
    {
        var s = WebhookSecret.Generate();
        Assert.Equal(32, WebhookSecret.Parse(s).Key.Length);
    }
}
