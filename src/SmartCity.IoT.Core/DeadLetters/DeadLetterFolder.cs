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
            // Keep what earlier records were promised, then start from a fresh handle next time.
            TryFlush();
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

        var path = Path.Combine(DirectoryPath, day);
        var torn = EndsInsideALine(path);
        _file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
        _fileDay = day;
        if (torn)
        {
            // A write that failed (or a process that died) mid-record left half a line: end it, so the next record stands alone.
            _file.Write("\n"u8);
            _totalBytes++;
        }

        return _file;
    }

    private static bool EndsInsideALine(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var length = RandomAccess.GetLength(handle);
        Span<byte> last = stackalloc byte[1];
        return length > 0 && RandomAccess.Read(handle, last, length - 1) == 1 && last[0] != (byte)'\n';
    }

    private void Close()
    {
        _file?.Dispose();
        _file = null;
        _fileDay = null;
        _dirty = false;
    }

    private void TryFlush()
    {
        try
        {
            Flush();
        }
        catch (IOException)
        {
            // the disk is failing: the caller hears of it from the write that failed
        }
    }

    private void Rotate()
    {
        foreach (var old in Files().Where(f => f.Name != _fileDay).OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            if (_totalBytes <= maxBytes)
            {
                break;
            }

            var length = old.Length;
            try
            {
                old.Delete();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The budget is kept best-effort: the record is written, and the next write tries again.
                return;
            }

            _totalBytes -= length;
        }
    }

    private IEnumerable<FileInfo> Files() => new DirectoryInfo(DirectoryPath).EnumerateFiles(FilePrefix + "*" + FileExtension);
}
