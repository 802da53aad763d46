using System.CommandLine;
using SmartCity.IoT.Influx;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary><c>spool status</c> and <c>spool replay</c>: argument checks here, the work in <see cref="SpoolCommands"/>.</summary>
internal static class SpoolCommandLine
{
    public static Command Build(Option<string?> config)
    {
        var path = new Option<string?>("--path") { Description = "Spool folder (default: Spool:Path from configuration)" };
        var status = new Command("status", "Show what the spool holds") { path, config };
        status.SetAction(parse => SpoolCommands.Status(GatewayCommandLine.SpoolPath(parse.GetValue(path), parse.GetValue(config)), Console.Out, GatewayCommandLine.DeadLetters(parse.GetValue(config)).Path));

        var to = new Option<string>("--to") { Description = "InfluxDB base URL to drain the spool into, e.g. http://127.0.0.1:8086", Required = true };
        to.Validators.Add(r =>
        {
            var url = r.GetValueOrDefault<string>();
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.Query.Length > 0)
            {
                r.AddError($"--to '{url}' is not an http:// or https:// base URL without a query, e.g. http://127.0.0.1:8086.");
            }
        });
        var api = new Option<string>("--api") { Description = "v2 (InfluxDB 2, 1.8, VictoriaMetrics) or v1 (InfluxDB 1.x)", DefaultValueFactory = _ => "v2" }.OneOf("v1", "v2");
        var org = new Option<string?>("--org") { Description = "Organisation (--api v2)" };
        var bucket = new Option<string?>("--bucket") { Description = "Bucket (--api v2)" };
        var token = new Option<string?>("--token") { Description = "API token (or SMARTCITY__Influx__Token)" };
        var database = new Option<string?>("--db") { Description = "Database (--api v1)" };
        var replay = new Command("replay", "Send everything in the spool to an InfluxDB, in order") { path, to, api, org, bucket, token, database, config };
        replay.Validators.Add(r =>
        {
            if (r.GetValue(api) is not { } a || !(a.Equals("v1", StringComparison.OrdinalIgnoreCase) || a.Equals("v2", StringComparison.OrdinalIgnoreCase)))
            {
                return; // --api's own check says what is wrong
            }

            if (a.Equals("v1", StringComparison.OrdinalIgnoreCase))
            {
                if (string.IsNullOrWhiteSpace(r.GetValue(database)))
                {
                    r.AddError("--db is required with --api v1.");
                }

                if (r.GetResult(bucket) is { Implicit: false } || r.GetResult(org) is { Implicit: false })
                {
                    r.AddError("--bucket and --org are for --api v2; with --api v1 give --db.");
                }
            }
            else
            {
                if (string.IsNullOrWhiteSpace(r.GetValue(bucket)))
                {
                    r.AddError("--bucket is required with --api v2 (on InfluxDB 1.8 use 'database/retention-policy', or --api v1 --db NAME).");
                }

                if (string.IsNullOrWhiteSpace(r.GetValue(org)))
                {
                    r.AddError("--org is required with --api v2 (InfluxDB 1.8 and VictoriaMetrics ignore it: any value such as '-' works).");
                }

                if (r.GetResult(database) is { Implicit: false })
                {
                    r.AddError("--db is for --api v1; with --api v2 give --bucket and --org.");
                }
            }
        });
        replay.SetAction(async (parse, ct) =>
        {
            var target = new InfluxOptions
            {
                Url = parse.GetValue(to)!,
                Api = parse.GetValue(api)!.Equals("v1", StringComparison.OrdinalIgnoreCase) ? InfluxApi.V1 : InfluxApi.V2,
                Org = parse.GetValue(org) ?? "",
                Bucket = parse.GetValue(bucket) ?? "",
                Token = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("SMARTCITY__Influx__Token") ?? "",
                Database = parse.GetValue(database) ?? "",
            };
            var spool = GatewayCommandLine.SpoolPath(parse.GetValue(path), parse.GetValue(config));
            var deadLetters = GatewayCommandLine.DeadLetters(parse.GetValue(config));
            long done = 0, total = 0;
            return await CommandProgress.RunAsync("replaying the spool (lines)", () => Volatile.Read(ref total), () => Volatile.Read(ref done),
                () => SpoolCommands.ReplayAsync(spool, target.Url, target, deadLetters, Console.Out, (d, t) =>
                {
                    Volatile.Write(ref total, t);
                    Volatile.Write(ref done, d);
                }, ct)).ConfigureAwait(false);
        });
        return new Command("spool", "Inspect or drain the local spool") { status, replay };
    }
}
