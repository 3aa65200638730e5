import contextlib
import io
import os
import random
import tempfile
import unittest

import dialogue
import recipe
import train
from world import make_scene


def refused(fn, *args) -> str:
    """Run an argparse-driven entry point that must refuse; return what it said."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            fn(*args)
        except SystemExit as e:
            return err.getvalue() + str(e.code)
    raise AssertionError("expected a refusal")


class RecipeOptionsTest(unittest.TestCase):
    def test_unknown_and_conflicting_options_are_refused(self):
        self.assertIn("unrecognized arguments: --epochs", refused(recipe.main, ["train", "--epochs", "3"]))
        self.assertIn("exclude each other", refused(recipe.main, ["train", "--minutes", "5", "--stage", "2"]))
        self.assertIn("--minutes must be positive", refused(recipe.main, ["train", "--minutes", "0"]))
        self.assertIn("invalid choice", refused(recipe.main, ["train", "--stage", str(len(recipe.ALL_STAGES) + 1)]))

    def test_a_later_stage_without_the_previous_one_says_what_to_run(self):
        with tempfile.TemporaryDirectory() as work:
            msg = refused(recipe.main, ["train", "--stage", "2", "--work", work])
            self.assertIn(os.path.join(work, "stage-1.pt"), msg)
            self.assertIn("run stage 1 first", msg)

    def test_stage_options_are_ones_train_accepts(self):
        for stage in recipe.ALL_STAGES:
            args = recipe.stage_args(stage)
            self.assertEqual(float(args[args.index("--minutes") + 1]), stage["minutes"])
            if "mix" in stage:
                train.parse_mix(stage["mix"])  # raises on a task name train does not know
        v2 = recipe.stage_args(recipe.V2_STAGES[0])
        self.assertEqual(v2[v2.index("--audio-tokens") + 1], "8")
        self.assertIn("needs --audio-tokens", refused(train.main, ["--work", "/nonexistent", "--sound-frac", "0.3"]))

    def test_a_grown_model_keeps_the_old_ids_and_starts_new_words_from_their_pieces(self):
        import torch
        from model import Config, LegoTiny
        from tokenizer import Tokenizer, extend_vocab
        old = Tokenizer(["<pad>", "<unk>", " a", " b", "##c", " bc"][:5])
        new = Tokenizer(extend_vocab(old.vocab, [" a bc zz"]))
        self.assertEqual(new.vocab[:5], old.vocab)
        self.assertIn(" bc", new.vocab)
        small = LegoTiny(Config(vocab_size=len(old.vocab), d_model=16, n_layers=1, n_heads=2, d_ff=32, max_positions=32,
                                image_size=24, image_grid=2, video_frames=2, frame_size=12, stem_channels=8, query_max=8))
        big = LegoTiny(Config(vocab_size=len(new.vocab), d_model=16, n_layers=1, n_heads=2, d_ff=32, max_positions=32,
                              image_size=24, image_grid=2, video_frames=2, frame_size=12, stem_channels=8, query_max=8,
                              audio_tokens=2, audio_channels=8))
        train.init_from(big, {"model": small.state_dict()}, old, new)
        w_old, w_new = small.tok.weight.detach(), big.tok.weight.detach()
        self.assertTrue(torch.equal(w_new[:5], w_old))
        bc = new.ids[" bc"]
        self.assertTrue(torch.allclose(w_new[bc], w_old[[old.ids[" b"], old.ids["##c"]]].mean(0)))
        self.assertTrue(torch.equal(big.blocks[0].qkv.weight, small.blocks[0].qkv.weight))

    def test_mix_refuses_unknown_tasks_and_bad_weights(self):
        self.assertIn("unknown task 'colour'", refused(train.main, ["--work", "/nonexistent", "--mix", "colour=2"]))
        self.assertIn("must be a number", refused(train.main, ["--work", "/nonexistent", "--mix", "region=lots"]))
        self.assertIn("must not be negative", refused(train.main, ["--work", "/nonexistent", "--mix", "region=-1"]))
        self.assertIn("between 0 and 1", refused(train.main, ["--work", "/nonexistent", "--video-frac", "1.5"]))
        mix = train.parse_mix("region=6,count=5")
        self.assertEqual((mix["region"], mix["count"], mix["refer"]), (6.0, 5.0, dialogue.IMAGE_MIX["refer"]))

    def test_audio_lr_scale_and_freeze_audio_exclude_each_other(self):
        self.assertIn("exclude each other", refused(train.main, ["--work", "/nonexistent", "--audio-lr-scale", "0.1",
                                                                 "--freeze-audio"]))

    def test_more_soundtracks_than_clips_hear_the_clips_again_each_with_its_own_seed(self):
        import data
        import sound_world as sw
        from world import make_clip
        clips = [make_clip(700 + i) for i in range(3)]
        owners = data.track_clips(clips, 7)
        self.assertEqual([clips.index(c) for c in owners], [0, 1, 2, 0, 1, 2, 0])
        first, again = data._track_job((0, owners[0]))[0], data._track_job((3, owners[3]))[0]
        names = {(a["colour"], a["kind"]) for a in clips[0]["actors"]}
        for track in (first, again):  # the clip's own actors are heard (an off-screen sound may join them)
            self.assertTrue({(e["colour"], e["kind"]) for e in sw.event_spans(track)} & names)
        self.assertNotEqual([e["span"] for e in sw.event_spans(first)], [e["span"] for e in sw.event_spans(again)])

    def test_the_mix_decides_which_questions_are_drawn(self):
        rng = random.Random(3)
        only_region = {k: 0 for k in dialogue.IMAGE_MIX} | {"region": 1}
        tasks = set()
        for i in range(60):
            conv = dialogue.image_conversation(rng, make_scene(500 + i), turns=3, mix=only_region)
            tasks.update(t["task"] for t in conv)
        self.assertEqual(tasks, {"region", "follow"})
        default = set()
        for i in range(200):
            default.update(t["task"] for t in dialogue.image_conversation(rng, make_scene(900 + i), turns=3))
        self.assertLessEqual(set(dialogue.IMAGE_MIX), default)


if __name__ == "__main__":
    unittest.main()


class V2CheckpointTest(unittest.TestCase):
    def test_the_committed_v2_checkpoint_loads_with_its_vocabulary(self):
        import torch
        from model import Config, LegoTiny
        path = os.path.join(os.path.dirname(__file__), "..", "..", "..", "lego-tiny-v2", "lego-tiny-v2.pt")
        self.assertTrue(os.path.exists(path), "models/lego-tiny-v2/lego-tiny-v2.pt is committed")
        ck = torch.load(path, map_location="cpu")
        cfg = Config(**ck["config"])
        self.assertEqual(len(ck["vocab"]), cfg.vocab_size)
        self.assertEqual(cfg.audio_tokens, 8)
        model = LegoTiny(cfg)
        model.load_state_dict(ck["model"])
        self.assertTrue(ck["bn_folded"])
        self.assertGreater(train.trained_for(ck)["minutes"], 290)
