using System.Diagnostics;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Devices.Codecs;

namespace SmartCity.IoT.Devices.Tests;

/// <summary>The JavaScript codec sandbox: no host access, every limit holds, no state survives a call.</summary>
public sealed class CodecSandboxTests
{
    private static readonly CodecLimits Tight = new() { Timeout = TimeSpan.FromSeconds(5), Statements = int.MaxValue, MemoryBytes = 1024 * 1024, Recursion = 32, OutputChars = 1000 };

    [Fact]
    public void An_endless_loop_is_cut_off_by_its_time_limit()
    {
        var sandbox = Sandbox("function decodeUplink(input) { if (input.fPort === 2) { while (true) {} } return { data: {} }; }", Tight with { Timeout = TimeSpan.FromMilliseconds(50) });
        Assert.Equal(CodecOutcomeKind.Data, sandbox.Run([1], 1).Kind); // warm: the first call also compiles the interpreter
        var watch = Stopwatch.StartNew();
        var outcome = sandbox.Run([1], 2);
        Assert.Equal(CodecOutcomeKind.Limit, outcome.Kind);
        Assert.Contains("ran longer than its time limit (50 ms)", outcome.Problem);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}"); // a guard against hanging, not a speed target
    }

    [Theory]
    [InlineData("function decodeUplink(input) { var a = []; var s = 'xy'; while (true) { s = s + s; a.push(s.split('')); } }", "memory limit")]
    [InlineData("function f(n) { return f(n + 1); } function decodeUplink(input) { return f(0); }", "recursion limit (32)")]
    [InlineData("function decodeUplink(input) { return { data: { s: new Array(2000).join('y') } }; }", "more than its limit of 1000")]
    public void Memory_recursion_and_output_are_limited(string script, string expected)
    {
        var outcome = Sandbox(script).Run([1], 1);
        Assert.Equal(CodecOutcomeKind.Limit, outcome.Kind);
        Assert.Contains(expected, outcome.Problem);
    }

    [Fact]
    public void The_statement_limit_holds_too()
    {
        var sandbox = Sandbox("function decodeUplink(input) { var i = 0; while (true) { i++; } }", CodecLimits.Default with { Statements = 10_000, Timeout = TimeSpan.FromSeconds(30) });
        var outcome = sandbox.Run([1], 1);
        Assert.Equal(CodecOutcomeKind.Limit, outcome.Kind);
        Assert.Contains("statement limit", outcome.Problem);
    }

    [Fact]
    public void The_codec_sees_no_host_and_cannot_compile_strings()
    {
        var sandbox = Sandbox("""
            function decodeUplink(input) {
              return { data: { clr: typeof System, ns: typeof importNamespace, req: typeof require, host: typeof host, port: input.fPort, first: input.bytes[0], n: input.bytes.length } };
            }
            """);
        var outcome = sandbox.Run([7, 8], 85);
        Assert.Equal(CodecOutcomeKind.Data, outcome.Kind);
        Assert.Equal("""{"data":{"clr":"undefined","ns":"undefined","req":"undefined","host":"undefined","port":85,"first":7,"n":2}}""", outcome.ResultJson);

        var eval = Sandbox("function decodeUplink(input) { return { data: { v: eval('1 + 1') } }; }").Run([1], 1);
        Assert.Equal(CodecOutcomeKind.Failed, eval.Kind);
        var function = Sandbox("function decodeUplink(input) { return { data: { v: new Function('return 2')() } }; }").Run([1], 1);
        Assert.Equal(CodecOutcomeKind.Failed, function.Kind);
    }

    [Fact]
    public void No_state_survives_from_one_call_to_the_next()
    {
        var sandbox = Sandbox("var calls = 0; function decodeUplink(input) { calls++; return { data: { calls: calls } }; }");
        Assert.Equal("""{"data":{"calls":1}}""", sandbox.Run([1], 1).ResultJson);
        Assert.Equal("""{"data":{"calls":1}}""", sandbox.Run([1], 1).ResultJson);
    }

    [Fact]
    public void A_throw_is_reported_with_its_message_and_line()
    {
        var outcome = Sandbox("function decodeUplink(input) {\n  throw new Error('bad frame');\n}").Run([1], 1);
        Assert.Equal(CodecOutcomeKind.Failed, outcome.Kind);
        Assert.Contains("threw: bad frame (line 2", outcome.Problem);
    }

    [Fact]
    public void Invalid_javascript_and_a_missing_decodeUplink_are_refused_at_load()
    {
        Assert.False(CodecSandbox.TryCreate("x.js", "function decodeUplink(input) {", CodecLimits.Default, out _, out var error));
        Assert.False(string.IsNullOrEmpty(error));
        Assert.False(Sandbox("function decode(input) { return {}; }").DefinesDecodeUplink(out var problem));
        Assert.Contains("no function decodeUplink", problem);
    }

    [Fact]
    public void A_codec_profile_dead_letters_with_a_clear_reason_and_keeps_decoding()
    {
        var catalog = CatalogFixture.Catalog;
        var readings = catalog.CreateReadingSet();
        var spin = catalog.Decoder.Decode("fieldsense/th-0007/up/2", "0100E609"u8, readings, 1);
        Assert.Equal(DecodeError.CodecLimit, spin.Error);
        var ok = catalog.Decoder.Decode("fieldsense/th-0007/up/2", "0100E6"u8, readings, 1);
        Assert.True(ok.IsSuccess, ok.ToString());
        var warned = catalog.Decoder.Decode("fieldsense/th-0007/up/2", "030B54"u8, readings, 1);
        Assert.Contains("battery low", warned.Warning);
    }

    [Fact]
    public void A_codec_example_whose_output_differs_fails_validation()
    {
        using var dir = new TempDevices();
        dir.Write("devices/acme/c.js", "function decodeUplink(input) { return { data: { temperature: input.bytes[0] } }; }");
        dir.Write("devices/acme/c-codec.yaml", """
            uplinkDecoder:
              fileName: c.js
              examples:
                - description: twenty
                  input: { fPort: 1, bytes: [20] }
                  output: { data: { temperature: 21 } }
            """);
        dir.Write("devices/acme/c.yaml", """
            id: acme/c
            vendor: Acme
            model: C
            family: environment
            topics: ["acme/{device}/up"]
            payload: { format: codec, codec: c-codec.yaml, encoding: hex }
            fields:
              - { name: temperature, path: $.temperature, unit: degC }
            samples:
              - { name: a, topic: acme/d1/up, payload: "14", expect: 'environment,device=d1,model=acme/c temperature=20 1763856000000000000' }
              - { name: b, topic: acme/d1/up, payload: "15", expect: 'environment,device=d1,model=acme/c temperature=21 1763856000000000000' }
              - { name: c, topic: acme/d1/up, payload: "zz", expect_error: malformed_payload }
            """);
        var (_, errors) = DeviceCatalog.TryLoad(dir.Devices, []);
        var error = Assert.Single(errors);
        Assert.Contains("c-codec.yaml:4:", error.ToString());
        Assert.Contains("sample 'codec example: twenty' the codec's data differs from the example's: expected {\"temperature\":21}, got {\"temperature\":20}", error.ToString());
    }

    private static CodecSandbox Sandbox(string script, CodecLimits? limits = null)
    {
        Assert.True(CodecSandbox.TryCreate("test.js", script, limits ?? Tight, out var sandbox, out var error), error);
        return sandbox!;
    }
}
