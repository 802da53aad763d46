using System.Globalization;

namespace SmartCity.IoT.Core.DeadLetters;

/// <summary>
/// The folder's daily files and their byte budget. Not thread-safe: <see cref="DeadLetterStore"/> calls it under its lock.
/// Writes go to the operating system at once (a crash of the process loses nothing); <see cref="Flush"/> makes them durable.
/// </summary>
internal sealed class DeadLetterFolder(string directory, long maxBytes) : IDisposable
{
    public const string FilePrefix = "deadletter-";
    public const string FileExtension = ".jsonl";

    private FileStream? _file;
    private string? _fileDay;
    private bool _dirty;
    private long _totalBytes = -1;

    public string DirectoryPath { get; } = directory;

    public static string FileName(DateTimeOffset time) => $"{FilePrefix}{time.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}{FileExtension}";

    public void Write(ReadOnlySpan<byte> lines, DateTimeOffset now)
    {
        var file = Open(now);
        try
        {
            file.Write(lines);
        }
        catch
        {
            // Start from a fresh handle next time; a partial line at the end only costs that one record.
            Close();
            throw;
        }

        _dirty = true;
        _totalBytes += lines.Length;
        if (_totalBytes > maxBytes)
        {
            Rotate();
        }
    }

    /// <summary>fsync what was written since the last flush; nothing to do when nothing was.</summary>
    public void Flush()
    {
        if (_dirty && _file is not null)
        {
            _file.Flush(flushToDisk: true);
            _dirty = false;
        }
    }

    public void Dispose()
    {
        Flush();
        Close();
    }

    private FileStream Open(DateTimeOffset now)
    {
        var day = FileName(now);
        if (_file is not null && _fileDay == day)
        {
            return _file;
        }

        // The day changed: what yesterday's file holds must be durable before its handle goes.
        Flush();
        Close();
        Directory.CreateDirectory(DirectoryPath);
        if (_totalBytes < 0)
        {
            _totalBytes = Files().Sum(f => f.Length);
        }

        _file = new FileStream(Path.Combine(DirectoryPath, day), FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        _fileDay = day;
        return _file;
    }

    private void Close()
    {
        _file?.Dispose();
        _file = null;
        _fileDay = null;
        _dirty = false;
    }

    private void Rotate()
    {
        foreach (var old in Files().Where(f => f.Name != _fileDay).OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (_totalBytes <= maxBytes)
            {
                break;
            }

            _totalBytes -= old.Length;
            old.Delete();
        }
    }

    private IEnumerable<FileInfo> Files() => new DirectoryInfo(DirectoryPath).EnumerateFiles(FilePrefix + "*" + FileExtension);
}
