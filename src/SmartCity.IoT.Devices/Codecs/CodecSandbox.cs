using Acornima.Ast;
using Jint;
using Jint.Native;
using Jint.Runtime;

namespace SmartCity.IoT.Devices.Codecs;

/// <summary>
/// Runs a TTN-style JavaScript uplink decoder (<c>function decodeUplink(input)</c>, <c>input.bytes</c> and
/// <c>input.fPort</c>, returning <c>{data, warnings, errors}</c>) in Jint. Each call gets a fresh engine, so no state
/// survives from one message to the next; the engine has no CLR access, no modules and no string compilation
/// (<c>eval</c>, <c>new Function</c>), and the call is cut off by <see cref="CodecLimits"/>. The script is parsed once;
/// <see cref="TryPrepare"/> (when the profile loads) and each call ready the next call's engine (its top level run)
/// ahead, so a call's time limit covers <c>decodeUplink</c> alone. Thread-safe. This path allocates (an engine, the
/// input array, the result's JSON): it is for the long tail of devices.
/// </summary>
internal sealed class CodecSandbox
{
    private const string EntryPoint = "__smartcity_decode";

    // Serializing inside the sandbox puts the result's size under the same limits as the codec itself.
    private static readonly Prepared<Script> Wrapper = Engine.PrepareScript(
        "function " + EntryPoint + "(bytes, fPort) { var r = decodeUplink({ bytes: bytes, fPort: fPort }); return r === undefined ? 'undefined' : JSON.stringify(r); }",
        "smartcity-wrapper.js");

    private readonly Prepared<Script> _script;
    private readonly TimeProvider _time;
    private ReadyEngine? _ready;

    private CodecSandbox(string name, Prepared<Script> script, CodecLimits limits, TimeProvider time)
    {
        Name = name;
        _script = script;
        Limits = limits;
        _time = time;
    }

    public string Name { get; }

    public CodecLimits Limits { get; }

    /// <summary>The warm-up calls <see cref="TryPrepare"/> made.</summary>
    public int WarmUpCalls { get; private set; }

    /// <summary>Whether an engine with the codec's top level already run waits for the next call.</summary>
    public bool HasReadyEngine => Volatile.Read(ref _ready) is not null;

    /// <summary>Parses <paramref name="source"/>; false with the parser's message (line and column) when it is not valid JavaScript.</summary>
    public static bool TryCreate(string name, string source, CodecLimits limits, out CodecSandbox? sandbox, out string error) =>
        TryCreate(name, source, limits, TimeProvider.System, out sandbox, out error);

    /// <param name="time">The clock of the time limits.</param>
    public static bool TryCreate(string name, string source, CodecLimits limits, TimeProvider time, out CodecSandbox? sandbox, out string error)
    {
        try
        {
            sandbox = new CodecSandbox(name, Engine.PrepareScript(source, name), limits, time);
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

    /// <summary>
    /// Readies the codec before its first message, under <see cref="CodecLimits.PrepareTimeout"/>: runs its top level
    /// (which must define <c>decodeUplink</c>), calls it once with each of <paramref name="warmUp"/> (outcomes ignored: the
    /// first message then does not pay for the interpreter's first run) and readies the first message's engine.
    /// False when the top level fails or defines no <c>decodeUplink</c>.
    /// </summary>
    public bool TryPrepare(IEnumerable<(byte[] Bytes, int FPort)> warmUp, out string problem)
    {
        if (!TryReady(out var ready, out problem))
        {
            return false;
        }

        if (ready!.Engine.GetValue("decodeUplink") is not Jint.Native.Function.Function)
        {
            problem = "the codec defines no function decodeUplink(input)";
            return false;
        }

        foreach (var (bytes, fPort) in warmUp)
        {
            Call(null, bytes, fPort, Limits.PrepareTimeout);
            WarmUpCalls++;
        }

        Volatile.Write(ref _ready, ready);
        return true;
    }

    public CodecOutcome Run(ReadOnlySpan<byte> bytes, int fPort)
    {
        var outcome = Call(Interlocked.Exchange(ref _ready, null), bytes, fPort, Limits.Timeout);

        // The next message's engine is readied now, after this call and outside its time limit.
        if (Volatile.Read(ref _ready) is null && TryReady(out var next, out _))
        {
            Interlocked.CompareExchange(ref _ready, next, null);
        }

        return outcome;
    }

    private CodecOutcome Call(ReadyEngine? ready, ReadOnlySpan<byte> bytes, int fPort, TimeSpan limit)
    {
        if (ready is null && !TryReady(out ready, out var problem))
        {
            return CodecOutcome.Failed($"codec {Name}: {problem}");
        }

        var (engine, clock) = ready!;
        JsValue result;
        try
        {
            var items = new JsValue[bytes.Length];
            for (var i = 0; i < bytes.Length; i++)
            {
                items[i] = JsNumber.Create(bytes[i]);
            }

            clock.Limit = limit;
            result = engine.Invoke(EntryPoint, new JsArray(engine, items), fPort);
        }
        catch (Exception e) when (IsLimit(e))
        {
            return CodecOutcome.Limit($"codec {Name} {Describe(e, clock)}");
        }
        catch (Exception e) when (IsCodecFailure(e))
        {
            return CodecOutcome.Failed($"codec {Name} threw: {Describe(e, clock)}");
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

    /// <summary>A fresh engine with the codec's top level and the wrapper run, under <see cref="CodecLimits.PrepareTimeout"/>.</summary>
    private bool TryReady(out ReadyEngine? ready, out string problem)
    {
        var clock = new CodecTimeLimit(_time) { Limit = Limits.PrepareTimeout };
        try
        {
            var engine = new Engine(o => o
                .Strict(false)
                .DisableStringCompilation()
                .LimitRecursion(Limits.Recursion)
                .LimitMemory(Limits.MemoryBytes)
                .MaxStatements(Limits.Statements)
                .Constraint(clock)
                .MaxArraySize(1_000_000));
            engine.Execute(_script);
            engine.Execute(Wrapper);
            ready = new ReadyEngine(engine, clock);
            problem = "";
            return true;
        }
        catch (Exception e) when (IsLimit(e) || IsCodecFailure(e))
        {
            ready = null;
            problem = "the codec's top level failed: " + Describe(e, clock);
            return false;
        }
    }

    private static bool IsLimit(Exception e) => e is TimeoutException or MemoryLimitExceededException or RecursionDepthOverflowException or StatementsCountOverflowException or ExecutionCanceledException
        || (e is JavaScriptException { Error: var err } && err.ToString().Contains("Invalid array length", StringComparison.Ordinal));

    private static bool IsCodecFailure(Exception e) => e is JintException or JavaScriptException or InvalidOperationException or ArgumentException or IndexOutOfRangeException or OverflowException;

    private string Describe(Exception e, CodecTimeLimit clock) => e switch
    {
        TimeoutException => $"timed out after {clock.Limit.TotalMilliseconds:0} ms, its time limit (cut off {clock.CutOffAfter.TotalMilliseconds:0} ms into the call)",
        MemoryLimitExceededException => $"allocated more than its memory limit ({Limits.MemoryBytes / 1024} KiB)",
        RecursionDepthOverflowException => $"nested calls deeper than its recursion limit ({Limits.Recursion})",
        StatementsCountOverflowException => $"ran more than its statement limit ({Limits.Statements})",
        JavaScriptException js => js.Message + (js.Location.Start.Line > 0 ? $" (line {js.Location.Start.Line}, column {js.Location.Start.Column + 1})" : ""),
        _ => e.Message,
    };
}
