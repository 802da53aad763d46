using Microsoft.AspNetCore.Http;
using SmartCity.IoT.Gateway.HttpIngest;

namespace SmartCity.IoT.Gateway.Tests.HttpIngest;

public sealed class IngestTokenTests
{
    private const string Secret = "0123456789abcdef0123";

    [Theory]
    [InlineData("Authorization", "Bearer " + Secret, true)]
    [InlineData("Authorization", "bearer  " + Secret + " ", true)]
    [InlineData("Authorization", Secret, true)]
    [InlineData("Authorization", "Bearer " + Secret + "x", false)]
    [InlineData("Authorization", "Basic " + Secret, false)]
    [InlineData("Authorization", "", false)]
    [InlineData("X-Api-Key", Secret, true)]
    [InlineData("X-Api-Key", "Bearer " + Secret, false)]
    public void The_token_is_taken_in_the_senders_header_convention(string header, string value, bool accepted)
    {
        var variable = "SMARTCITY_TEST_INGEST_TOKEN_" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(variable, Secret);
        try
        {
            var token = IngestToken.TryLoad(new HttpIngestSourceOptions { Name = "tts", TokenEnv = variable, Header = header }, "HttpIngest:Sources:0", out var error);
            Assert.Null(error);
            var headers = new HeaderDictionary { [header] = value };

            Assert.Equal(accepted, token!.Accepts(headers));
            Assert.False(token.Accepts(new HeaderDictionary()));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void A_token_file_is_read_and_trimmed()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, Secret + "\n");
        try
        {
            var token = IngestToken.TryLoad(new HttpIngestSourceOptions { TokenFile = file }, "HttpIngest:Sources:0", out _);
            Assert.True(token!.Accepts(new HeaderDictionary { ["Authorization"] = "Bearer " + Secret }));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(null, null, "set TokenEnv (an environment variable) or TokenFile")]
    [InlineData("SMARTCITY_TEST_UNSET_VARIABLE_4711", null, "'SMARTCITY_TEST_UNSET_VARIABLE_4711' is not set or empty")]
    [InlineData(null, "/nonexistent/ingest.token", "cannot read '/nonexistent/ingest.token'")]
    public void A_missing_token_says_what_to_set(string? env, string? file, string error)
    {
        Assert.Null(IngestToken.TryLoad(new HttpIngestSourceOptions { TokenEnv = env, TokenFile = file }, "HttpIngest:Sources:0", out var message));
        Assert.Contains(error, message, StringComparison.Ordinal);
    }
}
