"""The question grammar: whole templates held out of training, every task measurable on both, every
held-out template made of parts training sees; counting answers in plain English."""
import random
import re
import unittest

import dialogue
import grammar
from world import make_clip, make_scene


class GrammarTest(unittest.TestCase):
    def test_training_never_draws_a_held_out_template(self):
        rng = random.Random(0)
        for task in grammar.HEADS:
            for _ in range(300):
                t, mark = grammar.choose(rng, task, "train")
                self.assertEqual(mark, "seen")
                self.assertFalse(grammar.held_out(task, t))

    def test_every_task_has_seen_and_held_out_templates(self):
        for task, (seen, held) in grammar.every_template_count().items():
            self.assertGreater(seen, 20, task)
            self.assertGreater(held, 5, task)
            self.assertLess(held, seen, task)

    def test_held_out_templates_are_new_combinations_of_seen_parts(self):
        for task in grammar.HEADS:
            seen = grammar.pool(task, False)
            heads = {t[2] for t in seen}
            openers = {t[1] for t in seen}
            closes = {t[3] for t in seen}
            for t in grammar.pool(task, True):
                if t[0] == "front":
                    continue  # a fronted sentence is a whole template of its own
                self.assertIn(t[2], heads, (task, t))
                self.assertIn(t[1], openers, (task, t))
                self.assertIn(t[3], closes, (task, t))

    def test_the_phrasings_lego_tiny_missed_are_held_out(self):
        self.assertTrue(grammar.held_out("refer", ("imp", "please ", "give the coordinates of the {d}", "")))
        self.assertTrue(grammar.held_out("when", ("q", "", "during which part of the video can we see the {d}", "")))
        text = grammar.render(("imp", "please ", "give the coordinates of the {d}", ""), {"d": "red star"})
        self.assertEqual(text, "Please give the coordinates of the red star.")

    def test_eval_questions_are_marked_and_training_conversations_are_seen(self):
        rng = random.Random(4)
        marks = set()
        for i in range(200):
            conv = dialogue.image_conversation(rng, make_scene(i), turns=2, split="eval")
            if conv:
                marks.add(conv[-1]["template"])
                self.assertTrue(all(t["template"] == "seen" for t in conv[:-1]))
            for t in dialogue.image_conversation(rng, make_scene(i), turns=3):
                self.assertEqual(t["template"], "seen")
        self.assertEqual(marks, {"seen", "held-out"})
        for i in range(30):
            for t in dialogue.video_conversation(rng, make_clip(i), turns=1, split="held-out"):
                self.assertEqual(t["template"], "held-out")

    def test_synonyms_in_questions_canonical_names_in_answers(self):
        rng = random.Random(9)
        seen_syn = False
        for i in range(400):
            for t in dialogue.image_conversation(rng, make_scene(i), first="refer", turns=1):
                words = t["human"].lower()
                if re.search(r"\b(grey|violet|turquoise|rhombus|plus sign|disc)\b", words):
                    seen_syn = True
                self.assertNotRegex(t["assistant"], r"\b(grey|violet|turquoise|rhombus|plus sign|disc)\b")
        self.assertTrue(seen_syn)


class PluralTest(unittest.TestCase):
    def test_counting_answers_are_plain_english(self):
        self.assertEqual(dialogue._count_answer(8, "star", "stars", ["[b]"] * 8)[:16], "There are 8 star")
        self.assertTrue(dialogue._count_answer(8, "star", "stars", ["[b]"] * 8).startswith("There are 8 stars: "))
        self.assertEqual(dialogue._count_answer(1, "cross", "crosses", ["[0.1]"]), "There is 1 cross: [0.1].")
        self.assertEqual(dialogue._count_answer(0, "cross", "crosses", []), "There are no crosses.")

    def test_generated_counting_answers_agree_in_number(self):
        rng = random.Random(2)
        for i in range(300):
            for t in dialogue.image_conversation(rng, make_scene(i), first="count", turns=1):
                a = t["assistant"]
                n = t["truth"]["count"]
                if n == 1:
                    self.assertRegex(a, r"^There is 1 [a-z ]+: ")
                    self.assertNotRegex(a, r"^There is 1 [a-z ]+(?<!cros)s: ")
                elif n > 1:
                    self.assertRegex(a, rf"^There are {n} [a-z ]+(s|es): ")
                    self.assertNotIn("crosss", a)
                else:
                    self.assertRegex(a, r"^There are no [a-z ]+s\.$")


if __name__ == "__main__":
    unittest.main()
