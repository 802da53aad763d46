using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SmartCity.IoT.Testing;

/// <summary>
/// The one launcher of real server processes in the tests (InfluxDB, VictoriaMetrics, Mosquitto, the gateway): the test
/// starts, stops or kills it itself; its output is kept for failure messages.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly ProcessStartInfo _start;
    private readonly System.Text.StringBuilder _output = new();
    private Process? _process;

    public ServerProcess(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IDictionary<string, string>? environment = null)
    {
        _start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in arguments)
        {
            _start.ArgumentList.Add(a);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            _start.Environment[k] = v;
        }
    }

    public bool IsRunning => _process is { HasExited: false };

    public int? Pid => _process?.Id;

    /// <summary>The exit code once it has exited.</summary>
    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>Completes when the process has exited (on its own, or after <see cref="Kill"/> / <see cref="Stop"/>).</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken = default) =>
        _process?.WaitForExitAsync(cancellationToken) ?? Task.CompletedTask;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public void Start()
    {
        var p = new Process { StartInfo = _start, EnableRaisingEvents = true };
        p.OutputDataReceived += (_, e) => Append(e.Data);
        p.ErrorDataReceived += (_, e) => Append(e.Data);
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        _process = p;
    }

    /// <summary>Starts the process and waits until <paramref name="healthUrl"/> answers with a status <paramref name="healthy"/> accepts.</summary>
    public async Task StartAndWaitHealthyAsync(HttpClient http, string healthUrl, Func<int, bool> healthy, string name, TimeSpan? timeout = null)
    {
        Start();
        await Eventually.UntilAsync(
            async () =>
            {
                if (!IsRunning)
                {
                    Assert.Fail($"{name} exited with {_process!.ExitCode}: {Output}");
                }

                using var response = await http.GetAsync(healthUrl);
                return healthy((int)response.StatusCode);
            },
            timeout ?? TimeSpan.FromSeconds(30),
            () => $"{name} to answer {healthUrl}: {Output}",
            interval: TimeSpan.FromMilliseconds(100));
    }

    /// <summary>SIGKILL: no chance to flush or say goodbye, like a power cut of the process.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
        }
    }

    /// <summary>SIGTERM, then SIGKILL if it does not stop in time.</summary>
    public void Stop(TimeSpan grace)
    {
        if (_process is not { HasExited: false } p)
        {
            return;
        }

        _ = NativeMethods.Kill(p.Id, NativeMethods.SigTerm);
        if (!p.WaitForExit((int)grace.TotalMilliseconds))
        {
            Kill();
        }
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }
        }
    }
}

internal static partial class NativeMethods
{
    public const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static extern int Kill(int pid, int signal);
}
