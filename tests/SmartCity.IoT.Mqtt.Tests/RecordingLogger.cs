using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.Mqtt.Tests;

/// <summary>Keeps every log line (level and formatted message) for assertions.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Lines { get; } = new();

    public int Count(string part, LogLevel minimum = LogLevel.Information) =>
        Lines.Count(l => l.Level >= minimum && l.Message.Contains(part, StringComparison.Ordinal));

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue((logLevel, formatter(state, exception), exception));
}
