// FieldSense TH-LoRa uplink decoder (The Things Network device-repository shape).
// Frame on fPort 2: records of [type][value], big-endian:
//   0x01 temperature, int16, 0.1 degC    0x02 humidity, uint8, 0.5 %RH
//   0x03 battery, uint16, mV             0x04 light, uint16, lux
// Known defect of firmware 1.x codecs: an unknown record type never advances the cursor (the loop spins).
function readInt16(bytes, i) {
  var v = (bytes[i] << 8) | bytes[i + 1];
  return v > 0x7fff ? v - 0x10000 : v;
}

function decodeUplink(input) {
  if (input.fPort !== 2) {
    return { errors: ["unknown fPort " + input.fPort + " (measurements come on fPort 2)"] };
  }

  var bytes = input.bytes;
  var data = {};
  var warnings = [];
  var i = 0;
  while (i < bytes.length) {
    var type = bytes[i];
    var need = type === 0x02 ? 2 : 3;
    if ((type === 0x01 || type === 0x02 || type === 0x03 || type === 0x04) && i + need > bytes.length) {
      throw new Error("truncated record 0x0" + type + " at byte " + i);
    }

    switch (type) {
      case 0x01: data.temperature = readInt16(bytes, i + 1) / 10; i += 3; break;
      case 0x02: data.humidity = bytes[i + 1] / 2; i += 2; break;
      case 0x03:
        data.battery_v = ((bytes[i + 1] << 8) | bytes[i + 2]) / 1000;
        if (data.battery_v < 3.0) { warnings.push("battery low"); }
        i += 3;
        break;
      case 0x04: data.light = (bytes[i + 1] << 8) | bytes[i + 2]; i += 3; break;
      default: break;
    }
  }

  return { data: data, warnings: warnings };
}
