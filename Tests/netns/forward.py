"""Forwards TCP ports from one address to another, for the tests' network namespaces.

    python3 forward.py LISTEN_ADDRESS TARGET_ADDRESS PORT [PORT...]

Inside a namespace it makes 127.0.0.1:PORT reach the host's bridge address; on the host it
makes the bridge address reach the private servers, which listen on 127.0.0.1 only. Prints
"ready" once every port listens. A cut link stalls the connections through it, as a real
network does; nothing is answered on the far side's behalf.
"""
import asyncio
import sys


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        writer.close()


async def main():
    listen, target, ports = sys.argv[1], sys.argv[2], [int(p) for p in sys.argv[3:]]

    def handler(port):
        async def serve(reader, writer):
            try:
                up_reader, up_writer = await asyncio.open_connection(target, port)
            except OSError:
                writer.close()
                return
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))
        return serve

    servers = [await asyncio.start_server(handler(p), listen, p) for p in ports]
    print("ready", flush=True)
    await asyncio.gather(*(s.serve_forever() for s in servers))


asyncio.run(main())
