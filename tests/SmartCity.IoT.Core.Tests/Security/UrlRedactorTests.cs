using SmartCity.IoT.Core.Security;

namespace SmartCity.IoT.Core.Tests.Security;

public sealed class UrlRedactorTests
{
    [Theory]
    // userinfo: user and password both go (a token is often the user part alone)
    [InlineData("http://admin:hunter22@influx.example:8086", "http://***@influx.example:8086/")]
    [InlineData("https://tok3nSecretValue@host.example/x", "https://***@host.example/x")]
    // query values go, names stay; the fragment goes
    [InlineData("https://chat.example/v1/spaces/AAA/messages?key=k1234&token=t5678", "https://chat.example/v1/spaces/AAA/messages?key=***&token=***")]
    [InlineData("https://h.example/p?flag&x=&y=1#frag", "https://h.example/p?***&x=&y=***#***")]
    // Slack, Teams (old and new hosts), Discord: the token segments go, the readable prefix stays
    [InlineData("https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", "https://hooks.slack.com/services/***/***/***")]
    [InlineData("https://contoso.webhook.office.com/webhookb2/0f7a-guid@9c3d-guid/IncomingWebhook/abcdef/0123", "https://contoso.webhook.office.com/webhookb2/***/***/***/***")]
    [InlineData("https://outlook.office.com/webhook/abc@def/IncomingWebhook/x/y", "https://outlook.office.com/webhook/***/***/***/***")]
    [InlineData("https://discord.com/api/webhooks/123456789012345678/Zx-token_value", "https://discord.com/api/webhooks/***/***")]
    [InlineData("https://discord.com/api/v10/webhooks/1/t", "https://discord.com/api/v10/webhooks/***/***")]
    // other hosts: random-looking segments go, words stay
    [InlineData("https://oncall.example.internal/hooks/smartcity", "https://oncall.example.internal/hooks/smartcity")]
    [InlineData("http://127.0.0.1:8086/api/v2/write?org=o&bucket=b&precision=ns", "http://127.0.0.1:8086/api/v2/write?org=***&bucket=***&precision=***")]
    [InlineData("https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage", "https://api.telegram.org/***/sendMessage")]
    [InlineData("https://h.example/hook/3f2504e0-4f89-11d3-9a0c-0305e82c3301", "https://h.example/hook/***")]
    [InlineData("http://[::1]:8080/a", "http://[::1]:8080/a")]
    public void Redact_removes_every_part_that_can_carry_a_credential(string url, string expected)
    {
        Assert.Equal(expected, UrlRedactor.Redact(url));
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Redact_of_nothing_is_empty(string? url) => Assert.Equal("", UrlRedactor.Redact(url));

    [Fact]
    public void Text_that_is_not_a_url_keeps_its_words_but_loses_the_urls_in_it()
    {
        var text = "POST https://u:p4ssw0rd@hooks.slack.com/services/T1/B2/s3cr3tT0k3nValue123 failed: Connection refused (hooks.slack.com:443).";
        var scrubbed = UrlRedactor.Scrub(text);
        Assert.Equal("POST https://***@hooks.slack.com/services/***/***/*** failed: Connection refused (hooks.slack.com:443).", scrubbed);
    }

    [Fact]
    public void Scrub_removes_the_known_urls_secret_parts_wherever_they_appear()
    {
        var url = new Uri("http://gateway:s3cretPass@127.0.0.1:9/services/T1/B2/c4nary0123456789abcdef?token=q7uery");
        var text = "The SSL connection to 127.0.0.1:9/services/T1/B2/c4nary0123456789abcdef failed for user gateway with s3cretPass; q7uery; "
                   + Uri.EscapeDataString("s3cretPass");
        var scrubbed = UrlRedactor.Scrub(text, url);
        Assert.DoesNotContain("s3cretPass", scrubbed, StringComparison.Ordinal);
        Assert.DoesNotContain("c4nary0123456789abcdef", scrubbed, StringComparison.Ordinal);
        Assert.DoesNotContain("q7uery", scrubbed, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:9/services/T1/B2/***", scrubbed, StringComparison.Ordinal);
        // The user name goes too: many services put the token there.
        Assert.Contains("failed for user *** with ***", scrubbed, StringComparison.Ordinal);
    }

    [Fact]
    public void ScrubValues_removes_plain_url_encoded_and_base64_forms()
    {
        const string secret = "pa ss/word+1";
        var text = $"a {secret} b {Uri.EscapeDataString(secret)} c {Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(secret))} d";
        Assert.Equal("a *** b *** c *** d", UrlRedactor.ScrubValues(text, [secret, null, "ab"]));
    }

    [Fact]
    public void Secret_parts_are_what_redaction_removes()
    {
        var parts = UrlRedactor.SecretParts(new Uri("https://us%40er:p%3Ass@hooks.slack.com/services/T0001/B0002/tokenvalue?sig=abcd1234"));
        Assert.Contains("tokenvalue", parts);
        Assert.Contains("T0001", parts);
        Assert.Contains("abcd1234", parts);
        Assert.Contains("p:ss", parts); // unescaped as well as escaped
        Assert.Contains("p%3Ass", parts);
        Assert.DoesNotContain("services", parts);
    }
}
