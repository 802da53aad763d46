using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Runtime;

namespace SmartCity.IoT.Devices.Codecs;

/// <summary>
/// Runs a TTN-style JavaScript uplink decoder (<c>function decodeUplink(input)</c>, <c>input.bytes</c> and
/// <c>input.fPort</c>, returning <c>{data, warnings, errors}</c>) in Jint. Each call gets a fresh engine, so no state
/// survives from one message to the next; the engine has no CLR access, no modules and no string compilation
/// (<c>eval</c>, <c>new Function</c>), and the call is cut off by <see cref="CodecLimits"/>. The script is parsed once.
/// Thread-safe. This path allocates (an engine, the input array, the result's JSON): it is for the long tail of devices.
/// </summary>
internal sealed class CodecSandbox
{
    private const string EntryPoint = "__smartcity_decode";

    // Serializing inside the sandbox puts the result's size under the same limits as the codec itself.
    private static readonly Prepared<Script> Wrapper = Engine.PrepareScript(
        "function " + EntryPoint + "(bytes, fPort) { var r = decodeUplink({ bytes: bytes, fPort: fPort }); return r === undefined ? 'undefined' : JSON.stringify(r); }",
        "smartcity-wrapper.js");

    private readonly Prepared<Script> _script;

    private CodecSandbox(string name, Prepared<Script> script, CodecLimits limits)
    {
        Name = name;
        _script = script;
        Limits = limits;
    }

    public string Name { get; }

    public CodecLimits Limits { get; }

    /// <summary>Parses <paramref name="source"/>; false with the parser's message (line and column) when it is not valid JavaScript.</summary>
    public static bool TryCreate(string name, string source, CodecLimits limits, out CodecSandbox? sandbox, out string error)
    {
        try
        {
            sandbox = new CodecSandbox(name, Engine.PrepareScript(source, name), limits);
            error = "";
            return true;
        }
        catch (ScriptPreparationException e)
        {
            sandbox = null;
            error = e.Message;
            return false;
        }
    }

    /// <summary>Whether the script defines <c>decodeUplink</c> (runs its top level once, under the limits).</summary>
    public bool DefinesDecodeUplink(out string problem)
    {
        try
        {
            var engine = NewEngine();
            engine.Execute(_script);
            var f = engine.GetValue("decodeUplink");
            problem = f is Jint.Native.Function.Function ? "" : "the codec defines no function decodeUplink(input)";
            return problem.Length == 0;
        }
        catch (Exception e) when (IsCodecFailure(e))
        {
            problem = "the codec's top level failed: " + Describe(e);
            return false;
        }
    }

    public CodecOutcome Run(ReadOnlySpan<byte> bytes, int fPort)
    {
        Engine engine;
        JsValue result;
        try
        {
            engine = NewEngine();
            var items = new JsValue[bytes.Length];
            for (var i = 0; i < bytes.Length; i++)
            {
                items[i] = JsNumber.Create(bytes[i]);
            }

            engine.Execute(_script);
            engine.Execute(Wrapper);
            result = engine.Invoke(EntryPoint, new JsArray(engine, items), fPort);
        }
        catch (Exception e) when (IsLimit(e))
        {
            return CodecOutcome.Limit($"codec {Name} {Describe(e)}");
        }
        catch (Exception e) when (IsCodecFailure(e))
        {
            return CodecOutcome.Failed($"codec {Name} threw: {Describe(e)}");
        }

        var json = result.IsString() ? result.AsString() : "undefined";
        if (json == "undefined")
        {
            return CodecOutcome.Failed($"codec {Name}: decodeUplink returned nothing (expected {{data, warnings, errors}})");
        }

        return json.Length > Limits.OutputChars
            ? CodecOutcome.Limit($"codec {Name} returned {json.Length} characters of JSON, more than its limit of {Limits.OutputChars}")
            : new CodecOutcome(CodecOutcomeKind.Data, json, null);
    }

    private Engine NewEngine() => new(o => o
        .Strict(false)
        .DisableStringCompilation()
        .LimitRecursion(Limits.Recursion)
        .LimitMemory(Limits.MemoryBytes)
        .MaxStatements(Limits.Statements)
        .TimeoutInterval(Limits.Timeout)
        .MaxArraySize(1_000_000));

    private static bool IsLimit(Exception e) => e is TimeoutException or MemoryLimitExceededException or RecursionDepthOverflowException or StatementsCountOverflowException or ExecutionCanceledException
        || (e is JavaScriptException { Error: var err } && err.ToString().Contains("Invalid array length", StringComparison.Ordinal));

    private static bool IsCodecFailure(Exception e) => e is JintException or JavaScriptException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or OverflowException;

    private string Describe(Exception e) => e switch
    {
        TimeoutException => $"ran longer than its time limit ({Limits.Timeout.TotalMilliseconds:0} ms)",
        MemoryLimitExceededException => $"allocated more than its memory limit ({Limits.MemoryBytes / 1024} KiB)",
        RecursionDepthOverflowException => $"nested calls deeper than its recursion limit ({Limits.Recursion})",
        StatementsCountOverflowException => $"ran more than its statement limit ({Limits.Statements})",
        JavaScriptException js => js.Message + (js.Location.Start.Line > 0 ? $" (line {js.Location.Start.Line}, column {js.Location.Start.Column + 1})" : ""),
        _ => e.Message,
    };
}
