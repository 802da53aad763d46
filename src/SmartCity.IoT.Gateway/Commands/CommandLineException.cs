namespace SmartCity.IoT.Gateway.Commands;

/// <summary>A user mistake or an unreachable server, said in one sentence; the top-level handler prints it without a stack trace.</summary>
internal sealed class CommandLineException(string message, int exitCode = 2) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
