using System.Diagnostics;

namespace SmartCity.IoT.Testing;

/// <summary>Starts a real server binary (output drained) and waits until its health URL answers as expected.</summary>
internal static class ServerLauncher
{
    public static async Task<Process> StartAsync(string fileName, string arguments, HttpClient http, string healthUrl, Func<int, bool> healthy, string name)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(healthUrl);
                if (healthy((int)response.StatusCode))
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"{name} exited with {process.ExitCode}");
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{name} did not answer {healthUrl} within 30 s");
    }
}
