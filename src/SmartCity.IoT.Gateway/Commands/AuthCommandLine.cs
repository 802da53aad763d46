using System.CommandLine;
using System.Text;
using SmartCity.IoT.Gateway.Security;

namespace SmartCity.IoT.Gateway.Commands;

/// <summary><c>auth hash-password</c> and <c>auth new-token</c>: make the values Http:Auth takes from the environment or a secret file.</summary>
internal static class AuthCommandLine
{
    public const int MinPasswordLength = 12;

    public static Command Build()
    {
        var hash = new Command("hash-password", "Read a password (typed without echo, or the first line of standard input) and print its hash for Http:Auth:Users:N:PasswordHash");
        hash.SetAction(_ =>
        {
            var password = Console.IsInputRedirected ? Console.In.ReadLine() ?? "" : Prompt();
            if (password.Length < MinPasswordLength)
            {
                throw new CommandLineException($"the password has {password.Length} characters; use at least {MinPasswordLength}", 2);
            }

            Console.Out.WriteLine(HttpCredentials.HashPassword(password));
            return 0;
        });
        var token = new Command("new-token", "Print a random API token for Http:Auth:Tokens:N:Token (or a TokenFile)");
        token.SetAction(_ =>
        {
            Console.Out.WriteLine(GeneratedLogin.NewSecret(32));
            return 0;
        });
        return new Command("auth", "Credentials for the status page and API (see SECURITY.md)") { hash, token };
    }

    private static string Prompt()
    {
        var first = ReadHidden("Password: ");
        return ReadHidden("Again: ") == first ? first : throw new CommandLineException("the two passwords differ", 2);
    }

    private static string ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var text = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                text.Length = Math.Max(0, text.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }
}
