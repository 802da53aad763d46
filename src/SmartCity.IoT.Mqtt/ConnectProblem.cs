namespace SmartCity.IoT.Mqtt;

/// <summary>A failed connect or subscribe in plain words: what happened and what to change.</summary>
internal sealed record ConnectProblem(ConnectProblemKind Kind, string Text)
{
    public override string ToString() => Text;
}
