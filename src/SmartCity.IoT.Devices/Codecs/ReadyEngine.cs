using Jint;

namespace SmartCity.IoT.Devices.Codecs;

/// <summary>An engine of a <see cref="CodecSandbox"/> whose codec top level has run, with the clock of its time limit; used for one call.</summary>
internal sealed record ReadyEngine(Engine Engine, CodecTimeLimit Clock);
