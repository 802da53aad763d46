using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using SmartCity.IoT.Core.Decoding;
using SmartCity.IoT.Devices.Codecs;
using SmartCity.IoT.Testing;

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
        Assert.Contains("timed out after 50 ms, its time limit", outcome.Problem);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}"); // a guard against hanging, not a speed target
    }

    [Fact]
    public void The_time_limit_runs_on_the_sandbox_clock_and_a_catch_in_the_codec_cannot_stop_it()
    {
        // Every read of the fake clock moves it 1 ms: the loop is cut once 50 fake ms have passed, whatever the machine.
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var limits = Tight with { Timeout = TimeSpan.FromMilliseconds(50) };
        var sandbox = Sandbox("function decodeUplink(input) { if (input.fPort === 2) { while (true) { try { while (true) {} } catch (e) {} } } return { data: { ok: 1 } }; }", limits, time);
        Assert.Equal(CodecOutcomeKind.Data, sandbox.Run([1], 1).Kind);

        var before = time.GetUtcNow();
        var outcome = sandbox.Run([1], 2);
        Assert.Equal(CodecOutcomeKind.Limit, outcome.Kind);
        var cut = System.Text.RegularExpressions.Regex.Match(outcome.Problem!, @"^codec test\.js timed out after 50 ms, its time limit \(cut off (\d+) ms into the call\)$");
        Assert.True(cut.Success, outcome.Problem);
        Assert.InRange(int.Parse(cut.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 50, 200);
        Assert.True(time.GetUtcNow() - before >= TimeSpan.FromMilliseconds(50));
        Assert.Equal(CodecOutcomeKind.Data, sandbox.Run([1], 1).Kind); // the next message gets a fresh engine and a fresh limit
    }

    [Fact]
    public void The_first_call_after_preparing_runs_on_a_ready_engine_so_its_limit_covers_decodeUplink_alone()
    {
        // A top level that builds a table costs about 1 fake ms per few statements, far beyond the 50 ms per-call limit;
        // decodeUplink itself is a few statements. Prepared at load, the top level is off the call's budget.
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var limits = Tight with { Timeout = TimeSpan.FromMilliseconds(50), PrepareTimeout = TimeSpan.FromHours(1) };
        var sandbox = Sandbox("var table = []; for (var i = 0; i < 5000; i++) { table.push(i * 3); } function decodeUplink(input) { return { data: { v: table[input.bytes[0]] } }; }", limits, time);
        Assert.True(sandbox.TryPrepare([([7], 1)], out var problem), problem);
        Assert.Equal(1, sandbox.WarmUpCalls);
        Assert.True(sandbox.HasReadyEngine);

        var first = sandbox.Run([2], 1);
        Assert.Equal(CodecOutcomeKind.Data, first.Kind);
        Assert.Equal("""{"data":{"v":6}}""", first.ResultJson);
        Assert.True(sandbox.HasReadyEngine); // readied again after the call, for the next one
        Assert.Equal("""{"data":{"v":9}}""", sandbox.Run([3], 1).ResultJson);
    }

    [Fact]
    public void A_top_level_that_never_ends_is_refused_when_the_codec_is_prepared()
    {
        var time = new FakeTimeProvider { AutoAdvanceAmount = TimeSpan.FromMilliseconds(10) };
        var sandbox = Sandbox("while (true) {} function decodeUplink(input) { return { data: {} }; }", Tight with { PrepareTimeout = TimeSpan.FromSeconds(1) }, time);
        Assert.False(sandbox.TryPrepare([], out var problem));
        Assert.Contains("the codec's top level failed: timed out after 1000 ms", problem);
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
        Assert.False(Sandbox("function decode(input) { return {}; }").TryPrepare([], out var problem));
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

    [Fact]
    public void A_codec_profile_is_warmed_up_with_its_examples_when_it_loads()
    {
        using var dir = new TempDevices();
        foreach (var file in new[] { "th-lora.yaml", "th-lora.js", "th-lora-codec.yaml" })
        {
            dir.Write("devices/fieldsense/" + file, File.ReadAllText(Path.Combine(RepoPaths.Devices, "fieldsense", file)));
        }

        var (catalog, errors) = DeviceCatalog.TryLoad(dir.Devices, []);
        Assert.True(catalog is not null, string.Join(Environment.NewLine, errors));
        var loaded = Assert.Single(catalog.LoadedProfiles);
        var sandbox = Assert.IsType<CodecPayloadDecoder>(loaded.Profile.Decoding.Decoder).Sandbox;
        Assert.Equal(3, sandbox.WarmUpCalls); // th-lora-codec.yaml's three examples
        Assert.True(sandbox.HasReadyEngine);
    }

    private static CodecSandbox Sandbox(string script, CodecLimits? limits = null, TimeProvider? time = null)
    {
        Assert.True(CodecSandbox.TryCreate("test.js", script, limits ?? Tight, time ?? TimeProvider.System, out var sandbox, out var error), error);
        return sandbox!;
    }
}
