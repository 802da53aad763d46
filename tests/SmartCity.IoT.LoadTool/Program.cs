using SmartCity.IoT.LoadTool;

// tests/load/run.sh drives this tool; each command prints progress on stderr and one JSON result line on stdout.
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine("""
        SmartCity.IoT.LoadTool: the MQTT side of the load run (tests/load/run.sh)
          record  --broker H:P --out FILE --count N [--timeout S] [--topic F]
                  subscribe (QoS 1) and save N messages as they arrive, e.g. from `SmartCity.IoT.Gateway simulate`
          publish --broker H:P --file FILE --qos 0|1 [--rate MSG/S] [--inflight K] [--count N] [--via stream|client] [--connections C]
                  [--mqtt 5|3.1.1] [--skip-topics-with TEXT] [--share I/N] [--dry-run true] [--nats URLS]
                  replay a recorded load byte for byte (rate 0 = as fast as the broker takes it); 3.1.1 and skipping
                  topics with '.' for nats-server's MQTT listener; --share I/N publishes the I-th of N parts (by topic);
                  --dry-run prints how many messages would be published; --nats publishes into JetStream instead of MQTT
          count   --broker H:P --qos 0|1 --expect N [--timeout S] [--idle S] [--first-timeout S] [--topic F] [--receive-max K] [--ready-file F]
                  a bare subscriber that only counts: the broker's ceiling for the same load
          alerts  --broker H:P --listen PORT --count N [--rate ALERTS/S] [--background-rate MSG/S] [--timeout S] [--tag T]
                  alert latency: threshold-crossing readings (one new device each) timed from publish to the webhook's
                  arrival at a receiver on 127.0.0.1:PORT (tests/load/alert-latency.sh)
          ingest  --url URL --token-env VAR --count N [--rate REQ/S] [--devices D] [--timeout S] [--tag T]
                  HTTP ingest answer time: TTS-style uplinks posted at a steady rate (tests/load/ingest-latency.sh)
        """);
    return 2;
}

// MQTTnet's receive loop and the timers that bound every wait must never queue behind each other on 2 cores.
ThreadPool.SetMinThreads(Math.Max(8, Environment.ProcessorCount * 2), 8);

try
{
    var options = Arguments.Parse(args.AsSpan(1));
    using var cts = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        cts.Cancel();
    };
    return args[0] switch
    {
        "record" => await RecordCommand.RunAsync(options, cts.Token).ConfigureAwait(false),
        "publish" => await PublishCommand.RunAsync(options, cts.Token).ConfigureAwait(false),
        "count" => await CountCommand.RunAsync(options, cts.Token).ConfigureAwait(false),
        "alerts" => await AlertLatencyCommand.RunAsync(options, cts.Token).ConfigureAwait(false),
        "ingest" => await IngestLatencyCommand.RunAsync(options, cts.Token).ConfigureAwait(false),
        _ => throw new ArgumentException($"unknown command '{args[0]}' (record, publish, count, alerts, ingest)"),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("error: " + ex.Message);
    return 2;
}
