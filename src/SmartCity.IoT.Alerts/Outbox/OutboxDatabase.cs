using Microsoft.Data.Sqlite;

namespace SmartCity.IoT.Alerts.Outbox;

/// <summary>
/// The one SQLite file behind the outbox stores: opens connections (WAL, synchronous=FULL), runs work in one transaction,
/// and brings the schema up to date when first opened. Every store shares one instance, so a cross-table operation is one commit.
/// </summary>
internal sealed class OutboxDatabase
{
    private readonly string _connectionString;

    public OutboxDatabase(string path, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        Time = time ?? throw new ArgumentNullException(nameof(time));
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var c = Open();
        // Refused before anything is written, so a newer release's file is left exactly as it was.
        OutboxSchema.EnsureSupported(c, Path, OutboxSchema.CurrentVersion);
        // journal_mode cannot change inside a transaction, so it is set before the migrations run in theirs.
        Execute(c, "PRAGMA journal_mode=WAL;");
        OutboxSchema.Migrate(c, Path);
    }

    /// <summary>The full path of the SQLite file.</summary>
    public string Path { get; }

    public TimeProvider Time { get; }

    /// <summary>Now, as stored: Unix milliseconds.</summary>
    public long Now() => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Runs <paramref name="work"/> on a fresh connection without an explicit transaction (reads, single statements).</summary>
    public T Run<T>(Func<SqliteConnection, T> work)
    {
        using var c = Open();
        return work(c);
    }

    /// <summary>Runs <paramref name="work"/> in one transaction, committed when it returns: a crash leaves all of it or none.</summary>
    public T InTransaction<T>(Func<SqliteConnection, T> work)
    {
        using var c = Open();
        using var tx = c.BeginTransaction();
        var result = work(c);
        tx.Commit();
        return result;
    }

    /// <summary>Runs <paramref name="work"/> in a read transaction: it sees one consistent state of the file, and takes no write lock.</summary>
    public T Snapshot<T>(Func<SqliteConnection, T> work)
    {
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: true);
        var result = work(c);
        tx.Commit();
        return result;
    }

    public void InTransaction(Action<SqliteConnection> work) => InTransaction(c =>
    {
        work(c);
        return true;
    });

    /// <summary>A command on <paramref name="c"/> (and its current transaction) with its parameters; null values are stored as NULL.</summary>
    public static SqliteCommand Command(SqliteConnection c, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return cmd;
    }

    public static int Execute(SqliteConnection c, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var cmd = Command(c, sql, parameters);
        return cmd.ExecuteNonQuery();
    }

    public static object? Scalar(SqliteConnection c, string sql, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var cmd = Command(c, sql, parameters);
        return cmd.ExecuteScalar();
    }

    /// <summary>Every row of the query, mapped by <paramref name="map"/>.</summary>
    public static List<T> Query<T>(SqliteConnection c, string sql, Func<SqliteDataReader, T> map, params ReadOnlySpan<(string Name, object? Value)> parameters)
    {
        using var cmd = Command(c, sql, parameters);
        using var r = cmd.ExecuteReader();
        var list = new List<T>();
        while (r.Read())
        {
            list.Add(map(r));
        }

        return list;
    }

    /// <summary>A stored Unix-milliseconds value as a time.</summary>
    public static DateTimeOffset Ms(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    public static DateTimeOffset? NullableMs(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : Ms(r.GetInt64(ordinal));

    public static string? NullableString(SqliteDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        // FULL: a committed notification survives power loss, not just a killed process; alerts are rare, the fsync is affordable.
        Execute(c, "PRAGMA synchronous=FULL;");
        return c;
    }
}
