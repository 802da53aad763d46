using System.Buffers;
using System.CommandLine;
using SmartCity.IoT.Devices.Commands;
using SmartCity.IoT.Gateway.Hosting;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary><c>devices validate</c> and <c>devices test</c>: argument checks here, the work in <see cref="DeviceCommands"/>.</summary>
internal static class DevicesCommandLine
{
    public static Command Build()
    {
        var devicesRoot = new Option<string>("--devices-root") { Description = "Folder of profiles and vocabulary.yaml", DefaultValueFactory = _ => GatewayPaths.Resolve("devices") };

        var paths = new Argument<string[]>("paths") { Description = "Profile files or folders (default: all of devices/; a folder holding vocabulary.yaml is checked as a whole devices folder)", Arity = ArgumentArity.ZeroOrMore };
        var validate = new Command("validate", "Check profiles against the schema, the vocabulary and their own samples; exit 1 on any error") { paths, devicesRoot };
        validate.SetAction(parse => DeviceCommands.Validate(parse.GetValue(paths) ?? [], parse.GetValue(devicesRoot)!, Console.Out));

        var profile = new Argument<string>("profile") { Description = "The profile: a file, or a profile id such as harbourtech/ies-300" };
        var topic = new Option<string>("--topic") { Description = "MQTT topic the payload arrives on", Required = true };
        var payloadFile = new Option<string?>("--payload") { Description = "File holding the payload bytes" };
        payloadFile.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } file && !File.Exists(file))
            {
                r.AddError($"--payload '{file}': no such file ({(Directory.Exists(file) ? "it is a folder" : "looked for " + Path.GetFullPath(file))}).");
            }
        });
        var hex = new Option<string?>("--hex") { Description = "Payload as hex, e.g. '01 67 00 EB' (spaces allowed)" };
        hex.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<string?>() is { } h && !TryParseHex(h, out _))
            {
                r.AddError($"--hex '{h}' is not hex: give two hex digits (0-9, a-f) per byte, e.g. --hex '01 67 00 EB'.");
            }
        });
        var text = new Option<string?>("--text") { Description = "Payload as text (JSON or a single value)" };
        var test = new Command("test", "Decode one payload with a profile and print the reading") { profile, topic, payloadFile, hex, text, devicesRoot };
        test.OnlyOneOf(payloadFile, hex, text);
        test.SetAction(parse =>
        {
            byte[] bytes;
            if (parse.GetValue(payloadFile) is { } file)
            {
                bytes = File.ReadAllBytes(file);
            }
            else if (parse.GetValue(hex) is { } h)
            {
                TryParseHex(h, out bytes);
            }
            else if (parse.GetValue(text) is { } t)
            {
                bytes = System.Text.Encoding.UTF8.GetBytes(t);
            }
            else
            {
                throw new CommandLineException("give the payload with --payload FILE, --hex HEX or --text TEXT.");
            }

            return DeviceCommands.Test(parse.GetValue(profile)!, parse.GetValue(topic)!, bytes, parse.GetValue(devicesRoot)!, Console.Out);
        });

        return new Command("devices", "Tools for device profiles (for vendors)") { validate, test };
    }

    internal static bool TryParseHex(string text, out byte[] bytes)
    {
        var digits = text.Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal);
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        bytes = new byte[digits.Length / 2];
        return digits.Length % 2 == 0 && Convert.FromHexString(digits, bytes, out _, out _) == OperationStatus.Done;
    }
}
