using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SmartCity.IoT.IntegrationTests.Infrastructure;

/// <summary>Keeps every log line of the gateway in this process (category, level, text, exception) for assertions.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    public ConcurrentQueue<(string Category, LogLevel Level, string Message, Exception? Exception)> Lines { get; } = new();

    public IEnumerable<(string Category, LogLevel Level, string Message, Exception? Exception)> Of(string categoryPrefix) =>
        Lines.Where(l => l.Category.StartsWith(categoryPrefix, StringComparison.Ordinal));

    public string Text => string.Join("\n", Lines.Select(l => $"{l.Level} {l.Category}: {l.Message}{(l.Exception is null ? "" : " EXCEPTION " + l.Exception.GetType().Name)}"));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Lines.Enqueue((category, logLevel, formatter(state, exception), exception));
    }
}
