using Microsoft.Extensions.Options;

namespace SmartCity.IoT.Nats;

/// <summary>Checks the <c>Nats</c> section at start; every message names the key and what to set.</summary>
internal sealed class NatsOptionsValidator : IValidateOptions<NatsOptions>
{
    public ValidateOptionsResult Validate(string? name, NatsOptions o)
    {
        if (string.IsNullOrWhiteSpace(o.Url))
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        foreach (var server in o.ServerUrls)
        {
            if (!Uri.TryCreate(server, UriKind.Absolute, out var url) || url.Scheme is not ("nats" or "tls"))
            {
                errors.Add($"Nats:Url '{SmartCity.IoT.Core.Security.UrlRedactor.Redact(server)}' is not a NATS server address: write nats://host:port (or tls://host:port), several separated by commas.");
            }
        }

        CheckName(o.Stream, "Nats:Stream", errors);
        CheckName(o.Durable, "Nats:Durable", errors);
        CheckName(o.PartitionPrefix, "Nats:PartitionPrefix", errors);
        if (string.IsNullOrWhiteSpace(o.Name))
        {
            errors.Add("Nats:Name is empty: the source needs a name for logs, metrics and profiles' source:.");
        }

        if (o.Partitions is < 0 or > 1024)
        {
            errors.Add($"Nats:Partitions is {o.Partitions}: use 0 (no partitions) or the partition count of the server's mapping, at most 1024.");
        }

        if (o.Instances < 1)
        {
            errors.Add($"Nats:Instances is {o.Instances}: at least 1.");
        }
        else if (o.Instance < 0 || o.Instance >= o.Instances)
        {
            errors.Add($"Nats:Instance is {o.Instance}: it must be from 0 to Nats:Instances - 1 ({o.Instances - 1}).");
        }
        else if (o.Partitions > 0 && o.Instances > o.Partitions)
        {
            errors.Add($"Nats:Instances is {o.Instances} for {o.Partitions} partitions: instance {o.Instance} would own none; use at most as many instances as partitions.");
        }
        else if (o.Partitions == 0 && o.Instances > 1)
        {
            errors.Add("Nats:Instances is above 1 with Nats:Partitions 0: without partitions several instances would share devices and evaluate their rules on fragments; set Nats:Partitions to the mapping's partition count.");
        }

        if (!Enum.IsDefined(o.Ownership))
        {
            errors.Add($"Nats:Ownership '{o.Ownership}' is not a mode: use Static (Nats:Instance of Nats:Instances) or Leases (claimed in Nats:LeaseBucket).");
        }
        else if (o.Ownership == NatsOwnership.Leases)
        {
            if (o.Partitions == 0)
            {
                errors.Add("Nats:Ownership is Leases with Nats:Partitions 0: leases are taken per partition; set Nats:Partitions to the mapping's partition count.");
            }

            CheckName(o.LeaseBucket, "Nats:LeaseBucket", errors);
            if (o.LeaseTtl < TimeSpan.FromSeconds(1) || o.LeaseTtl > TimeSpan.FromMinutes(5))
            {
                errors.Add($"Nats:LeaseTtl is {o.LeaseTtl}: from 1 s to 5 min (a dead instance's partitions are taken over within about 4/3 of it).");
            }
        }

        if (o.InstanceId.Length > 0 && (o.InstanceId.Length > 64 || o.InstanceId.Any(c => char.IsWhiteSpace(c) || c is '.' or '*' or '>')))
        {
            errors.Add($"Nats:InstanceId '{o.InstanceId}' must be at most 64 characters, without spaces, '.', '*' or '>' (it is a key in the lease bucket).");
        }

        if (o.MaxAckPending is < 1 or > 1_000_000)
        {
            errors.Add($"Nats:MaxAckPending is {o.MaxAckPending}: from 1 to 1,000,000 (it should exceed Pipeline:BatchSize, or batches seal half-full).");
        }

        if (o.AckWait < TimeSpan.FromSeconds(1))
        {
            errors.Add($"Nats:AckWait is {o.AckWait}: at least 1 s (the server redelivers what is not acknowledged by then, so it must cover a store write).");
        }

        if (o.ReconnectMinDelay <= TimeSpan.Zero || o.ReconnectMaxDelay < o.ReconnectMinDelay)
        {
            errors.Add("Nats:ReconnectMinDelay must be positive and at most Nats:ReconnectMaxDelay.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckName(string value, string key, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(value) || value.IndexOfAny(['.', '*', '>', ' ', '\t']) >= 0)
        {
            errors.Add($"{key} '{value}' is not a valid NATS name: non-empty, without '.', '*', '>' or spaces.");
        }
    }
}
